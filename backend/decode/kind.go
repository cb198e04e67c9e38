package decode

import "strconv"

// Kind is what a payload turned out to hold. The zero Kind is Binary, the
// safe default: shown as a hex dump, never interpreted.
type Kind int

const (
	// Binary is anything that is neither JSON nor readable text.
	Binary Kind = iota
	// Text is valid UTF-8 made mostly of printable characters, including a
	// bare JSON scalar such as "42" or "\"ok\"".
	Text
	// JSON is a JSON object or array.
	JSON
)

func (k Kind) String() string {
	switch k {
	case JSON:
		return "JSON"
	case Text:
		return "Text"
	case Binary:
		return "Binary"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}
