//! The metadata state machine across controller failover (kafka-model §2.2): what a new active
//! controller sets up, and what a controller timer does while nothing can be committed.

use super::rebalance::ImbalanceSchedule;
use super::Controller;
use crate::engine::ctx::Ctx;
use crate::engine::timer::ControllerTimer;

impl Controller {
    /// The active controller can commit again. A new one (`fresh_sessions`) builds a new
    /// `BrokerHeartbeatManager` and touches every registered broker now
    /// (`ClusterControlManager.activate`: `touch(id, fenced, -1)`), so no broker is fenced for the
    /// silence of the failover; the same one keeps the sessions it had. Either way the timers that
    /// fell due without a majority are scheduled again.
    pub fn activate(&mut self, fresh_sessions: bool, ctx: &mut Ctx) {
        let session_ms = ctx.catalog.config.broker_session_timeout_ms;
        for (broker, entry) in self.brokers.iter_mut() {
            if fresh_sessions {
                entry.last_heartbeat_ms = ctx.now;
                entry.metadata_offset = 0;
            }
            if !entry.expiry_armed && !entry.registration.fenced {
                entry.expiry_armed = true;
                let due_ms = (entry.last_heartbeat_ms + session_ms).saturating_sub(ctx.now);
                ctx.set_timer(due_ms, ControllerTimer::SessionExpiry { broker: *broker });
            }
        }
        self.schedule_unclean_sweep(ctx);
        self.maybe_schedule_balance(ctx);
    }

    /// A timer that fell due while the quorum could not commit: its write cannot happen, so it is
    /// dropped and [`activate`](Controller::activate) schedules it again.
    pub fn skip_timer(&mut self, timer: ControllerTimer) {
        match timer {
            ControllerTimer::SessionExpiry { broker } => {
                if let Some(entry) = self.brokers.get_mut(&broker) {
                    entry.expiry_armed = false;
                }
            }
            ControllerTimer::UncleanSweep => self.unclean_sweep_at_ms = None,
            ControllerTimer::LeaderImbalanceCheck => {
                self.balance_check_at_ms = None;
                self.balance = ImbalanceSchedule::Deferred;
            }
            ControllerTimer::QuorumElection { .. } | ControllerTimer::CheckQuorum { .. } => {}
        }
    }
}
