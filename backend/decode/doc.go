// Package decode turns record payloads (Kinesis record data, SQS message
// bodies, archived objects) into something an operator can read and filter:
// it recognises JSON, text and binary, unwraps gzip within a size bound,
// de-aggregates KPL records, renders pretty and one-line previews and hex
// dumps, and runs jq filters over payloads with gojq.
//
// Nothing here makes text safe for a terminal: Pretty, Preview, HexDump and
// error messages may carry the payload's own bytes, escape sequences
// included. Callers pass every such string through package inert before it
// is drawn.
package decode
