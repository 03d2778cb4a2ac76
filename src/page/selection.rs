//! What the side panel shows, and the keys that name it in the DOM: `data-replica="2:orders-0"`,
//! `data-client="producer:0"`, an event's `data-subject="replica:2:orders-0"` (see
//! `event_log::subject_key`).

/// What the side panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    None,
    Controller,
    Broker(u32),
    /// Broker id and partition name.
    Replica(u32, String),
    Partition(String),
    Producer(u32),
    Consumer(u32),
}

impl Selection {
    /// A replica from its `data-replica` value, `broker:partition`.
    pub fn from_replica_key(key: &str) -> Option<Selection> {
        let (b, p) = key.split_once(':')?;
        Some(Selection::Replica(b.parse().ok()?, p.to_string()))
    }

    /// A client from its `data-client` value, `producer:index` or `consumer:index`.
    pub fn from_client_key(key: &str) -> Option<Selection> {
        match key.split_once(':') {
            Some(("producer", i)) => i.parse().ok().map(Selection::Producer),
            Some(("consumer", i)) => i.parse().ok().map(Selection::Consumer),
            _ => None,
        }
    }

    /// What an event is about from its subject key (`broker:2`, `replica:2:orders-0`,
    /// `partition:orders-0`, `producer:0`, `consumer:0`, `controller`).
    pub fn from_subject(key: &str) -> Option<Selection> {
        let mut parts = key.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("broker"), Some(b), _) => b.parse().ok().map(Selection::Broker),
            (Some("replica"), Some(b), Some(p)) => b.parse().ok().map(|b| Selection::Replica(b, p.to_string())),
            (Some("partition"), Some(p), _) => Some(Selection::Partition(p.to_string())),
            (Some("producer"), Some(i), _) => i.parse().ok().map(Selection::Producer),
            (Some("consumer"), Some(i), _) => i.parse().ok().map(Selection::Consumer),
            (Some("controller"), _, _) => Some(Selection::Controller),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_what_they_select() {
        assert_eq!(Selection::from_replica_key("2:orders-0"), Some(Selection::Replica(2, "orders-0".into())));
        assert_eq!(Selection::from_replica_key("x:orders-0"), None);
        assert_eq!(Selection::from_replica_key("2"), None);
        assert_eq!(Selection::from_client_key("producer:0"), Some(Selection::Producer(0)));
        assert_eq!(Selection::from_client_key("consumer:3"), Some(Selection::Consumer(3)));
        assert_eq!(Selection::from_client_key("broker:3"), None);
        assert_eq!(Selection::from_client_key("consumer:-1"), None);
    }

    #[test]
    fn subjects_name_what_they_select() {
        let table = [
            ("broker:2", Some(Selection::Broker(2))),
            ("replica:2:orders-0", Some(Selection::Replica(2, "orders-0".into()))),
            ("partition:orders-1", Some(Selection::Partition("orders-1".into()))),
            ("producer:0", Some(Selection::Producer(0))),
            ("consumer:1", Some(Selection::Consumer(1))),
            ("controller", Some(Selection::Controller)),
            ("", None),
            ("broker:x", None),
            ("replica:2", None),
            ("topic:orders", None),
        ];
        for (key, expected) in table {
            assert_eq!(Selection::from_subject(key), expected, "{key:?}");
        }
    }
}
