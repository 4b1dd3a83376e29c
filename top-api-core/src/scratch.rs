//! Buffers a thread keeps from call to call: every call writes its string to sign, its form
//! body and its own params, and a buffer taken back costs no allocation the next time.
//!
//! A buffer is taken, not borrowed: a call made while another holds the thread's buffer
//! (a transport that calls, say) gets a new one. What a buffer held is zeroed when it is
//! given back (it held the session and the signature), and a buffer grown past
//! [`KEEP`] bytes is dropped rather than kept.

use std::cell::Cell;

use crate::Params;

/// The most a kept buffer may hold: a call's dozen params fit many times over, a file
/// upload's body is let go.
const KEEP: usize = 16 * 1024;

thread_local! {
    static BYTES: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    static PARAMS: Cell<Option<Params>> = const { Cell::new(None) };
}

/// The thread's byte buffer, empty, or a new one.
#[inline]
pub(crate) fn bytes() -> Vec<u8> {
    BYTES.take()
}

/// Gives a byte buffer back to the thread, zeroed.
#[inline]
pub(crate) fn give_back(mut bytes: Vec<u8>) {
    if bytes.capacity() <= KEEP {
        bytes.fill(0);
        bytes.clear();
        BYTES.set(bytes);
    }
}

/// The thread's params list, empty, or a new one.
#[inline]
pub(crate) fn params() -> Params {
    PARAMS.take().unwrap_or_default()
}

/// Gives a params list back to the thread, emptied.
#[inline]
pub(crate) fn give_back_params(mut params: Params) {
    if params.clear_within(KEEP) {
        PARAMS.set(Some(params));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_comes_back_empty_and_a_big_one_is_let_go() {
        let mut buffer = bytes();
        buffer.extend_from_slice(b"session=secret");
        let (at, capacity) = (buffer.as_ptr(), buffer.capacity());
        give_back(buffer);
        let again = bytes();
        assert!(again.is_empty());
        assert_eq!((again.as_ptr(), again.capacity()), (at, capacity));
        // Taken, not borrowed: a second taker meanwhile gets a new one.
        assert_eq!(bytes().capacity(), 0);
        let mut big = again;
        big.resize(KEEP + 1, 1);
        give_back(big);
        assert_eq!(bytes().capacity(), 0);
    }

    #[test]
    fn params_given_back_come_back_empty() {
        let mut list = params();
        list.push("user", "3");
        list.push_file("pic", crate::File::from_bytes("a.png", vec![1, 2]));
        give_back_params(list);
        let again = params();
        assert!(again.is_empty());
        assert_eq!(again.files().len(), 0);
    }
}
