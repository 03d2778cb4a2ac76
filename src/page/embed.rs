//! The embed mode's logic (an iframe in a notes page; `#...&embed`, `page::fragment`): when its
//! clock may run, and the `<iframe>` snippet "Copy embed code" gives. A notes page often holds
//! several embeds: each runs only while on screen, so a page of them costs what the ones in view
//! cost.

/// The height of an embed's frame in the snippet, in CSS pixels: the compact bar and the default
/// diagram at a notes page's width (about 700 px) without a scroll bar (an end-to-end test measures
/// it). Hosts that listen to the height message resize it.
pub const EMBED_HEIGHT_PX: u32 = 520;

/// What the frame's title says to screen readers.
pub const EMBED_TITLE: &str = "Partition Playground: a simulated Kafka cluster";

/// Whether an embed's clock runs: never before it is on screen (or, with `start=click`, before the
/// click), paused when it scrolls away, and playing again when it comes back if it played when it
/// left. A pause the reader chose stays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visibility {
    on_screen: bool,
    /// Play when next on screen.
    resume: bool,
}

impl Visibility {
    /// Not yet seen; `play_when_seen` unless the link opens paused or waits for a click.
    pub fn new(play_when_seen: bool) -> Visibility {
        Visibility { on_screen: false, resume: play_when_seen }
    }

    /// The frame came on screen or left it while the clock was `playing`: whether to play (`Some`)
    /// or pause, or leave the clock alone (`None`).
    pub fn seen(&mut self, on_screen: bool, playing: bool) -> Option<bool> {
        if on_screen == self.on_screen {
            return None;
        }
        self.on_screen = on_screen;
        if on_screen {
            std::mem::take(&mut self.resume).then_some(true)
        } else {
            self.resume = playing;
            playing.then_some(false)
        }
    }
}

/// The `<iframe>` a notes author pastes for `embed_url` (a link with `&embed`, made from the page's
/// own address: a parsed URL, whose quotes and angle brackets are percent-encoded, so only `&` needs
/// escaping in the attribute): as wide as the
/// note, a fixed height (notes hosts run no resize scripts), a title for screen readers, loaded
/// when scrolled near, no border (`frameborder`: notes hosts may strip a `style`). The sandbox lets
/// it run its scripts as its own origin (its module and wasm load from there) and open "Open in the
/// full playground" in a new tab (popups, which leave the sandbox).
pub fn embed_snippet(embed_url: &str) -> String {
    format!(
        "<iframe src=\"{}\" width=\"100%\" height=\"{EMBED_HEIGHT_PX}\" title=\"{EMBED_TITLE}\" loading=\"lazy\" \
         sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\" \
         frameborder=\"0\"></iframe>",
        embed_url.replace('&', "&amp;")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embed_runs_only_while_on_screen_and_resumes_when_back() {
        let mut v = Visibility::new(true);
        // Below the fold when the note opens: nothing to do.
        assert_eq!(v.seen(false, false), None);
        // Scrolled into view: it starts.
        assert_eq!(v.seen(true, false), Some(true));
        assert_eq!(v.seen(true, true), None, "a second report of the same state changes nothing");
        // Scrolled away while playing: it pauses, and plays again when back.
        assert_eq!(v.seen(false, true), Some(false));
        assert_eq!(v.seen(true, false), Some(true));
    }

    #[test]
    fn a_pause_the_reader_chose_survives_scrolling() {
        let mut v = Visibility::new(true);
        assert_eq!(v.seen(true, false), Some(true));
        // The reader paused, then scrolled away and back: it stays paused.
        assert_eq!(v.seen(false, false), None);
        assert_eq!(v.seen(true, false), None);
    }

    #[test]
    fn a_paused_link_or_start_on_click_waits_for_the_reader() {
        let mut v = Visibility::new(false);
        assert_eq!(v.seen(true, false), None);
        // The reader clicked Start: from then on it follows the screen.
        assert_eq!(v.seen(false, true), Some(false));
        assert_eq!(v.seen(true, false), Some(true));
    }

    #[test]
    fn the_snippet_is_a_lazy_titled_sandboxed_frame_of_the_note_width() {
        let s = embed_snippet("https://example.org/pp/#s=1.1.8.eJzL&t=4000&paused&embed");
        assert_eq!(
            s,
            "<iframe src=\"https://example.org/pp/#s=1.1.8.eJzL&amp;t=4000&amp;paused&amp;embed\" width=\"100%\" \
             height=\"520\" title=\"Partition Playground: a simulated Kafka cluster\" loading=\"lazy\" \
             sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\" \
             frameborder=\"0\"></iframe>"
        );
    }
}
