//! Status changes happen in one place, `kammer_internal.transition` in the database
//! (newest: migrations/20261205100001_start_states.sql): the action's start states, from the
//! table `kammer_internal.start_states`, are part of its `UPDATE`'s `WHERE`, so of two clerks
//! acting at once exactly one moves the row. What is left here is the refusal the reads give
//! for an Antrag that does not exist.

use crate::Error;
use crate::domain::AntragNr;

pub(crate) fn not_found(nr: AntragNr) -> Error {
    Error::not_found(format!("Einen Antrag Nr. {nr} gibt es nicht."))
}
