package s3

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// A part table records, for each part of a multipart object, its size and,
// when the object's checksum is COMPOSITE, the part's raw checksum, so that
// GetObject with partNumber can serve one part and its checksum. Entries
// have a fixed width: 8 bytes of size, then the checksum.

func layoutEntryWidth(rec *objectRecord) int {
	if rec.ChecksumType == typeComposite {
		return 8 + checksumSize(rec.ChecksumAlg)
	}
	return 8
}

// encodeLayout builds the part table of an object from its parts in order.
func encodeLayout(rec *objectRecord, parts []*partRecord) ([]byte, error) {
	w := layoutEntryWidth(rec)
	out := make([]byte, 0, w*len(parts))
	for _, p := range parts {
		out = binary.BigEndian.AppendUint64(out, uint64(p.Size))
		if w > 8 {
			raw, err := base64.StdEncoding.DecodeString(p.Checksum)
			if err != nil || len(raw) != w-8 {
				return nil, errors.New("encode part table: part checksum does not fit the object's algorithm")
			}
			out = append(out, raw...)
		}
	}
	return out, nil
}

// layoutPart finds part n (1-based) in a part table: its offset in the
// object, size, and base64 checksum (empty unless COMPOSITE).
func layoutPart(rec *objectRecord, table []byte, n int) (offset, size int64, checksum string, err error) {
	w := layoutEntryWidth(rec)
	if len(table) != w*rec.Parts || n < 1 || n > rec.Parts {
		return 0, 0, "", errors.New("part table does not match its object")
	}
	for i := 0; i < n; i++ {
		e := table[i*w : (i+1)*w]
		size = int64(binary.BigEndian.Uint64(e[:8]))
		if i < n-1 {
			offset += size
		} else if w > 8 {
			checksum = base64.StdEncoding.EncodeToString(e[8:])
		}
	}
	return offset, size, checksum, nil
}
