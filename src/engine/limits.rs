//! The bounds of the input contract, with their values (a leaf module: the scenario types read them
//! while decoding, the rules while checking). [`rules`](super::rules) applies them.

use super::ids::Millis;

/// Every bound of the contract, with one spelling (qualifier last). [`LIMITS`] holds the values.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub brokers_max: usize,
    /// Broker ids are `0..=broker_id_max`.
    pub broker_id_max: u32,
    pub partitions_per_topic_max: u32,
    /// Partitions × replication factor, over every topic of the scenario and the page session.
    pub replicas_max: u64,
    /// Producers, and separately consumers.
    pub clients_max: usize,
    /// Commands of a scenario (its `commands`); the page session adds at most as many again.
    pub commands_max: usize,
    /// Records produced over the scenario and everything done in the page afterwards.
    pub records_max: u64,
    /// A record's key or value.
    pub text_bytes_max: usize,
    /// Client names and racks.
    pub name_bytes_max: usize,
    /// Kafka's bound on a topic name (`Topic.MAX_NAME_LENGTH`).
    pub topic_name_bytes_max: usize,
    /// No scenario runs longer than 30 days of simulated time.
    pub time_ms_max: Millis,
    /// No timeout, interval or backoff is longer than a day.
    pub config_ms_max: u64,
    /// Byte and record counts in configs fit Kafka's `int`.
    pub config_count_max: u64,
    /// One-way network latency and jitter. Whatever they are, the engine delivers no message in
    /// less than 1 ms, so every message moves simulated time on.
    pub latency_ms_max: u64,
    /// Work units (one message, one timer, or one partition handled in a fetch) per simulated second
    /// that the cluster's intervals and fan-out imply when idle ([`Load`](super::rules::Load)).
    pub work_per_second_max: u64,
    /// Timers waiting and messages in flight at once when idle ([`Load::agenda_entries`](super::rules::Load::agenda_entries)).
    pub agenda_entries_max: u64,
    /// Work units from time 0 to `until_ms`: `work_per_second` × seconds.
    pub run_work_max: u64,
    /// The same, for a link the page opens: it replays before it draws, so a link must not hold
    /// the tab for more than a few seconds (the runner replays up to `run_work_max`).
    pub page_replay_work_max: u64,
    /// Steps at one simulated millisecond before [`Engine::advance_to`](super::Engine::advance_to)
    /// declares that the simulation makes no progress (an engine bug; every message takes at least
    /// 1 ms).
    pub steps_per_ms_max: u64,
    /// A scenario's JSON text or binary code: 10,000 commands of 2 KB of text fit.
    pub input_bytes_max: usize,
    /// Events the engine keeps; older ones are dropped (their `seq` is never reused).
    pub events_kept: usize,
    /// Received records the consumers keep for views and the runner, shared equally (their counts
    /// are kept in full).
    pub records_received_kept: usize,
    /// Narration steps of a lesson (each may hold a question).
    pub lesson_steps_max: usize,
    /// A lesson's title and concept, and each answer choice.
    pub lesson_title_bytes_max: usize,
    /// A narration step's text, a question's prompt and its reason: a few sentences beside the diagram.
    pub lesson_text_bytes_max: usize,
    /// Answer choices of a question (at least 2): a flashcard's buttons.
    pub lesson_choices_max: usize,
    /// Messages that wait for a paused broker (its socket buffers); later ones are dropped.
    pub paused_messages_max: usize,
    /// Messages a partition's probe keeps ([`Trace`](super::Trace), off unless a driver asks).
    pub trace_arrows_kept: usize,
    /// Samples, produce outcomes and truncations a partition's probe keeps, each.
    pub trace_samples_kept: usize,
}

/// The bounds. Sized for a browser tab: 1,000,000 records take about 100 MiB natively (README,
/// Performance) and less in wasm32; 10,000 replicas draw in about 15 ms a frame (the 3,000 of the
/// large scenario take 4.7 ms); 100,000 work units a simulated second run at 1× speed in a fraction
/// of a frame (the large scenario implies about 16,000).
pub const LIMITS: Limits = Limits {
    brokers_max: 256,
    broker_id_max: 1_000_000,
    partitions_per_topic_max: 10_000,
    replicas_max: 10_000,
    clients_max: 64,
    commands_max: 10_000,
    records_max: 1_000_000,
    text_bytes_max: 1_024,
    name_bytes_max: 64,
    topic_name_bytes_max: 249,
    time_ms_max: 30 * 24 * 3_600_000,
    config_ms_max: 24 * 3_600_000,
    config_count_max: i32::MAX as u64,
    latency_ms_max: 60_000,
    work_per_second_max: 100_000,
    agenda_entries_max: 1_000_000,
    run_work_max: 500_000_000,
    page_replay_work_max: 20_000_000,
    steps_per_ms_max: 1_000_000,
    input_bytes_max: 32 << 20,
    events_kept: 10_000,
    records_received_kept: 200_000,
    lesson_steps_max: 16,
    lesson_title_bytes_max: 120,
    lesson_text_bytes_max: 400,
    lesson_choices_max: 4,
    paused_messages_max: 10_000,
    trace_arrows_kept: 2_000,
    trace_samples_kept: 2_000,
};
