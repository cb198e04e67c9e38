package decode

import (
	"bytes"
	"encoding/json"
)

// PrettyHexLimit bounds the hex dump Pretty draws for a binary payload: a
// 1 MiB record would otherwise become a 4.5 MiB string nobody scrolls.
const PrettyHexLimit = 64 << 10

// Pretty renders the payload for a detail view: JSON indented by two spaces
// in its original key order and with its numbers as written, text as it
// is, binary as a HexDump of the first PrettyHexLimit bytes. The result is
// not sanitised; pass it through inert.Block before drawing it.
func (p Payload) Pretty() string {
	switch p.Kind {
	case JSON:
		var out bytes.Buffer
		if err := json.Indent(&out, jsonText(p.Body), "", "  "); err == nil {
			return string(bytes.TrimRight(out.Bytes(), " \t\r\n"))
		}
		// Not reached for a Payload from Decode; show the text rather than nothing.
		return string(p.Body)
	case Text:
		return string(p.Body)
	}
	return HexDump(p.Body, PrettyHexLimit)
}
