// Package inert turns untrusted text into text that is safe to draw on a
// terminal.
//
// Every string sluice shows that came from an event, a queue message, a
// bucket object or an API error may hold escape sequences: a payload with
// "\x1b]52;c;…\x07" would write the operator's clipboard, "\x1b[2J" would
// clear the screen, a right-to-left override would make "exe.txt" read as
// "txt.exe". Such characters are replaced by visible escapes that no
// terminal interprets:
//
//	C0 controls and DEL      \x1b, \x07, \x7f   (\n, \t, \r in their short form)
//	C1 controls U+0080–9F    \u009b
//	bidi and line-breaking   \u202e, \u2066, \u2028
//	zero-width characters    \u200b, \u2060, \ufeff
//	invalid UTF-8 bytes      \xNN               (so a raw 8-bit CSI 0x9b is \x9b)
//
// A backslash in the input is kept as it is: the output is for reading, not
// a reversible encoding, and JSON or Windows paths full of "\\\\" would be
// hard to read. Callers that need the exact bytes (copy, export) use the
// original value, never the inert one.
//
// Line and Block sanitise a whole string. Truncate and LineCut cut to a
// display width and only look at as much of the input as that width needs,
// so a one-mebibyte single-line payload in a list row costs a few hundred
// bytes of work.
package inert
