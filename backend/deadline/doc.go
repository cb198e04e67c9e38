// Package deadline is the data-loss countdown of Kinesis-failure DLQs. A
// DLQ message of a Kinesis source holds only the coordinates of the
// failed records: once the stream's retention passes their arrival, the
// records are gone unless they were hydrated, and once the queue's
// MessageRetentionPeriod passes the message's sending, the coordinates
// are gone too. Whichever comes first is the message's deadline.
//
// A queue's deadline is the nearest of its messages': exact when the
// queue was browsed in this session (the kept browse), otherwise a bound
// computed without receiving anything (receiving raises receive counts
// and can move messages), from the age of the oldest message, the
// consumer's maximum record age, the stream's retention and the queue's
// retention.
package deadline
