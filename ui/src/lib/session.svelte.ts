// The clerk signed in at this desk, and what their role lets them do.

import type { Permission, SignedIn } from "./bindings";

class Session {
  clerk = $state<SignedIn | null>(null);

  can(permission: Permission): boolean {
    return this.clerk?.permissions.includes(permission) ?? false;
  }
}

export const session = new Session();
