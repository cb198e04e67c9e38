package decode

import (
	"strconv"
	"strings"
)

const hexDigits = "0123456789abcdef"

// HexDump renders b like `hexdump -C`: an offset, 16 bytes in two groups of
// eight, and the bytes as ASCII with '.' for anything not printable. It
// stops after max bytes (max <= 0: no limit) and says how many it left out.
func HexDump(b []byte, max int) string {
	shown := b
	if max > 0 && len(b) > max {
		shown = b[:max]
	}
	var sb strings.Builder
	sb.Grow((len(shown)+15)/16*78 + 32)
	for off := 0; off < len(shown); off += 16 {
		writeHexLine(&sb, off, shown[off:min(off+16, len(shown))])
	}
	if more := len(b) - len(shown); more > 0 {
		sb.WriteString("… ")
		sb.WriteString(strconv.Itoa(more))
		sb.WriteString(" more bytes\n")
	}
	return sb.String()
}

// writeHexLine writes one line of up to 16 bytes that start at offset off.
func writeHexLine(sb *strings.Builder, off int, line []byte) {
	for shift := 28; shift >= 0; shift -= 4 {
		sb.WriteByte(hexDigits[off>>shift&0xf])
	}
	sb.WriteString("  ")
	for i := range 16 {
		if i == 8 {
			sb.WriteByte(' ')
		}
		if i < len(line) {
			sb.WriteByte(hexDigits[line[i]>>4])
			sb.WriteByte(hexDigits[line[i]&0xf])
			sb.WriteByte(' ')
		} else {
			sb.WriteString("   ") // pad a short last line so the ASCII column lines up
		}
	}
	sb.WriteString(" |")
	for _, c := range line {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('.')
		}
	}
	sb.WriteString("|\n")
}
