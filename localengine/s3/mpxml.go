package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// checksumsXML are the Checksum<alg> elements of parts and results; at most
// one is set.
type checksumsXML struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func checksumsOf(alg, value string) checksumsXML {
	var c checksumsXML
	switch alg {
	case algCRC32:
		c.ChecksumCRC32 = value
	case algCRC32C:
		c.ChecksumCRC32C = value
	case algCRC64NVME:
		c.ChecksumCRC64NVME = value
	case algSHA1:
		c.ChecksumSHA1 = value
	case algSHA256:
		c.ChecksumSHA256 = value
	}
	return c
}

// get returns the value given for alg, if any.
func (c checksumsXML) get(alg string) (string, bool) {
	var v string
	switch alg {
	case algCRC32:
		v = c.ChecksumCRC32
	case algCRC32C:
		v = c.ChecksumCRC32C
	case algCRC64NVME:
		v = c.ChecksumCRC64NVME
	case algSHA1:
		v = c.ChecksumSHA1
	case algSHA256:
		v = c.ChecksumSHA256
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

type initiateResultXML struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

type completeRequestXML struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber *string `xml:"PartNumber"`
		ETag       *string `xml:"ETag"`
		checksumsXML
	} `xml:"Part"`
}

type completeResultXML struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumsXML
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type copyPartResultXML struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumsXML
}

type partXML struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumsXML
}

type listPartsXML struct {
	XMLName              xml.Name  `xml:"ListPartsResult"`
	Xmlns                string    `xml:"xmlns,attr"`
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	PartNumberMarker     int       `xml:"PartNumberMarker"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
	MaxParts             int       `xml:"MaxParts"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []partXML `xml:"Part"`
	Initiator            *ownerXML `xml:"Initiator"`
	Owner                *ownerXML `xml:"Owner"`
	StorageClass         string    `xml:"StorageClass"`
	ChecksumAlgorithm    string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string    `xml:"ChecksumType,omitempty"`
}

type uploadXML struct {
	Key               string    `xml:"Key"`
	UploadID          string    `xml:"UploadId"`
	Initiator         *ownerXML `xml:"Initiator"`
	Owner             *ownerXML `xml:"Owner"`
	StorageClass      string    `xml:"StorageClass"`
	Initiated         string    `xml:"Initiated"`
	ChecksumAlgorithm string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string    `xml:"ChecksumType,omitempty"`
}

type listUploadsXML struct {
	XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
	Xmlns              string      `xml:"xmlns,attr"`
	Bucket             string      `xml:"Bucket"`
	KeyMarker          string      `xml:"KeyMarker"`
	UploadIDMarker     string      `xml:"UploadIdMarker"`
	NextKeyMarker      string      `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string      `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string      `xml:"Prefix"`
	Delimiter          string      `xml:"Delimiter,omitempty"`
	MaxUploads         int         `xml:"MaxUploads"`
	EncodingType       string      `xml:"EncodingType,omitempty"`
	IsTruncated        bool        `xml:"IsTruncated"`
	Uploads            []uploadXML `xml:"Upload"`
	CommonPrefixes     []prefixXML `xml:"CommonPrefixes"`
}

// completedPart is one entry of a CompleteMultipartUpload request.
type completedPart struct {
	number    int
	etag      string // hex, unquoted
	checksums checksumsXML
}

// maxCompleteBody fits 10,000 parts, each with an ETag and every checksum
// element, written out with generous whitespace.
const maxCompleteBody = 10 << 20

// parseCompleteXML decodes a CompleteMultipartUpload body: 1 to 10,000
// parts, each with a number and an ETag, in strictly ascending order.
func parseCompleteXML(body []byte) ([]completedPart, error) {
	var doc completeRequestXML
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	if doc.XMLName.Local != "CompleteMultipartUpload" || len(doc.Parts) == 0 || len(doc.Parts) > maxPartNumber {
		return nil, errMalformedXML()
	}
	parts := make([]completedPart, len(doc.Parts))
	for i, p := range doc.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, errMalformedXML()
		}
		n, err := strconv.Atoi(strings.TrimSpace(*p.PartNumber))
		if err != nil {
			return nil, errMalformedXML()
		}
		if n < 1 || n > maxPartNumber {
			return nil, errInvalidPartNumber()
		}
		if i > 0 && n <= parts[i-1].number {
			return nil, newErr(http.StatusBadRequest, "InvalidPartOrder",
				"The list of parts was not in ascending order. The parts list must be specified in order by part number.")
		}
		parts[i] = completedPart{number: n, etag: unquoteETag(*p.ETag), checksums: p.checksumsXML}
	}
	return parts, nil
}

func unquoteETag(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return v
}

func errInvalidPartNumber() error {
	return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive")
}

func errInvalidPart() error {
	return newErr(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.")
}

func errEntityTooSmall() error {
	return newErr(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
}
