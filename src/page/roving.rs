//! One tab stop for a list of items (the WAI-ARIA "roving tabindex"): the current item has
//! `tabindex="0"`, the others `-1`, and the arrow keys, Home and End move the current item. The
//! event log is one such list (300 lines are one tab stop, not 300 before the controls), the broker
//! menu another.

/// At the ends of the list: stay there (the event log) or go round (a menu, as the ARIA menu
/// pattern has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ends {
    Stop,
    Wrap,
}

/// The item `key` moves to from item `at` (none when the focus is not on an item) in a list of
/// `len`; `None` when the key is not one of the list's, or the list is empty.
pub fn target(key: &str, at: Option<usize>, len: usize, ends: Ends) -> Option<usize> {
    let last = len.checked_sub(1)?;
    Some(match (key, at) {
        ("Home", _) => 0,
        ("End", _) => last,
        ("ArrowDown", Some(i)) if i >= last => match ends {
            Ends::Stop => last,
            Ends::Wrap => 0,
        },
        ("ArrowDown", Some(i)) => i + 1,
        ("ArrowUp", Some(0)) => match ends {
            Ends::Stop => 0,
            Ends::Wrap => last,
        },
        ("ArrowUp", Some(i)) => (i - 1).min(last),
        ("ArrowDown", None) => 0,
        ("ArrowUp", None) => last,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_moves_line_by_line_and_stops_at_its_ends() {
        assert_eq!(target("ArrowDown", Some(0), 300, Ends::Stop), Some(1));
        assert_eq!(target("ArrowUp", Some(5), 300, Ends::Stop), Some(4));
        assert_eq!(target("ArrowUp", Some(0), 300, Ends::Stop), Some(0));
        assert_eq!(target("ArrowDown", Some(299), 300, Ends::Stop), Some(299));
        assert_eq!(target("Home", Some(120), 300, Ends::Stop), Some(0));
        assert_eq!(target("End", Some(3), 300, Ends::Stop), Some(299));
        // The list got shorter under the focus (lines trimmed): back inside it.
        assert_eq!(target("ArrowDown", Some(400), 300, Ends::Stop), Some(299));
        assert_eq!(target("ArrowUp", Some(400), 300, Ends::Stop), Some(299));
    }

    #[test]
    fn a_menu_goes_round() {
        assert_eq!(target("ArrowDown", Some(4), 5, Ends::Wrap), Some(0));
        assert_eq!(target("ArrowUp", Some(0), 5, Ends::Wrap), Some(4));
        // From outside the list: the first item down, the last one up.
        assert_eq!(target("ArrowDown", None, 5, Ends::Wrap), Some(0));
        assert_eq!(target("ArrowUp", None, 5, Ends::Wrap), Some(4));
    }

    #[test]
    fn other_keys_and_empty_lists_move_nothing() {
        assert_eq!(target("Enter", Some(1), 5, Ends::Stop), None);
        assert_eq!(target("ArrowRight", Some(1), 5, Ends::Wrap), None);
        assert_eq!(target("ArrowDown", None, 0, Ends::Stop), None);
        assert_eq!(target("Home", None, 0, Ends::Wrap), None);
    }
}
