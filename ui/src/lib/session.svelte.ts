// The clerk signed in at this desk, and what their role lets them do.

import type { Permission, SignedIn } from "./bindings";
import { notices } from "./notices.svelte";
import { queue } from "./queue.svelte";
import { router } from "./router.svelte";

class Session {
  clerk = $state<SignedIn | null>(null);

  can(permission: Permission): boolean {
    return this.clerk?.permissions.includes(permission) ?? false;
  }

  /** Why the clerk may not do `permission`, as kammer-core words it; undefined where they may. */
  refusal(permission: Permission): string | undefined {
    return this.clerk?.refusals[permission];
  }
}

export const session = new Session();

/** The desk learnt who is signed in (sign-in, or a reconnect): that clerk's remembered queue filters. */
export function adoptClerk(clerk: SignedIn | null): void {
  session.clerk = clerk;
  if (clerk !== null) queue.forClerk(clerk.username);
}

/**
 * The desk is shared: after "Abmelden" (or a new sign-in) nothing of the previous clerk's
 * work may show — not the screen they were on, not their queue filters and rows, not their
 * notices.
 */
export function forgetClerk(): void {
  session.clerk = null;
  router.reset();
  queue.reset();
  notices.clear();
}
