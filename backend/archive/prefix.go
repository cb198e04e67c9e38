package archive

import (
	"fmt"
	"strings"
)

// PrefixOf infers the archive prefix of an event key. A key is
// <prefix>[_replayed/]<consumer>/YYYY/MM/DD/HH/<name>.json, so what comes
// before its last six segments (and _replayed/) is the prefix; the key
// must parse under it.
func PrefixOf(key string) (string, error) {
	segs := strings.Split(key, "/")
	if len(segs) < 6 {
		return "", fmt.Errorf("key %q is not [PREFIX/]<consumer>/YYYY/MM/DD/HH/<name>.json", key)
	}
	head := segs[:len(segs)-6]
	if n := len(head); n > 0 && head[n-1]+"/" == ReplayedDir {
		head = head[:n-1]
	}
	prefix := ""
	if len(head) > 0 {
		prefix = strings.Join(head, "/") + "/"
	}
	if _, _, err := ParseKey(prefix, key); err != nil {
		return "", err
	}
	return prefix, nil
}
