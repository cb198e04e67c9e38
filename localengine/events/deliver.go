package events

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inproc"
	"github.com/sluicehq/sluice/localengine/wire"
)

// The deliverer works through the pending deliveries in the store: a
// dispatcher reads the "due" index in due order and hands ready tasks to a
// pool of workers; each worker makes one attempt and passes its outcome
// (done, retry later) to a completer, which records the outcomes of many
// attempts in one commit. A task is in flight from dispatch until its
// outcome is committed, so it is never attempted twice at once; after a
// crash every task left in the store is simply due again (deliveries are
// at least once, as on AWS).

const (
	deliveryWorkers = 128
	// maxInFlight bounds the tasks dispatched and not yet settled, and so
	// the event bodies held in memory.
	maxInFlight = 256
	// idleRecheck bounds how long the dispatcher sleeps while tasks wait
	// for their due time, so that a clock moved forward is noticed soon.
	idleRecheck = 250 * time.Millisecond
	// maxInlineThrottle is the longest a worker waits for an API
	// destination's rate limit; longer, and the task is put back.
	maxInlineThrottle = time.Second
	maxDLQMessage     = 1024
)

type deliverer struct {
	ctx        context.Context
	cancel     context.CancelFunc
	wakeCh     chan struct{}
	work       chan job
	inflightMu sync.Mutex
	inflight   map[taskID]struct{}
	wg         sync.WaitGroup
	// completions carries attempt outcomes to the completer.
	completions   chan completion
	completerDone chan struct{}
}

// completion is the outcome of an attempt to record: the task is done, or
// due again later.
type completion struct {
	id         taskID
	reschedule bool
	attempts   int64
	due        int64
	code, msg  string
}

// job is one task handed to a worker, with its event.
type job struct {
	id   taskID
	task taskRecord
	ev   eventRecord
}

func (s *Service) startDeliverer() {
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wakeCh = make(chan struct{}, 1)
	s.work = make(chan job, maxInFlight)
	s.inflight = map[taskID]struct{}{}
	s.completions = make(chan completion, maxInFlight)
	s.completerDone = make(chan struct{})
	go s.completeLoop()
	s.wg.Add(1 + deliveryWorkers)
	go s.dispatchLoop()
	for range deliveryWorkers {
		go s.worker()
	}
}

// stopDeliverer cancels attempts in flight (they stay pending), records
// the outcomes already known and waits for every goroutine to end.
func (s *Service) stopDeliverer() {
	s.cancel()
	s.wg.Wait()
	close(s.completions)
	<-s.completerDone
}

// kick wakes the dispatcher.
func (s *Service) kick() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

func (s *Service) dispatchLoop() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		wait, err := s.dispatch()
		if err != nil {
			s.log.Warn("event delivery: read pending deliveries", "err", err)
			wait = idleRecheck
		}
		if wait > 0 {
			timer.Reset(wait)
		}
		select {
		case <-s.ctx.Done():
			timer.Stop()
			return
		case <-s.wakeCh:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// dispatch hands the ready tasks to idle workers and says how long to
// sleep before looking again (0: until woken).
func (s *Service) dispatch() (time.Duration, error) {
	s.inflightMu.Lock()
	free := maxInFlight - len(s.inflight)
	busy := func(id taskID) bool { _, ok := s.inflight[id]; return ok }
	var jobs []job
	var wait time.Duration
	var err error
	if free > 0 {
		now := s.now().UnixNano()
		err = s.store.View(func(tx *bolt.Tx) error {
			tasks, evts := bucket(tx, bucketTasks), bucket(tx, bucketEvts)
			c := bucket(tx, bucketDue).Cursor()
			for k, _ := c.First(); k != nil && len(jobs) < free; k, _ = c.Next() {
				due, id, ok := parseDueKey(k)
				if !ok || busy(id) {
					continue
				}
				if due > now {
					wait = min(time.Duration(due-now), idleRecheck)
					break
				}
				j := job{id: id}
				if found, err := getJSON(tasks, id.key(), &j.task); err != nil || !found {
					continue
				}
				raw := evts.Get(seqKey(id.seq))
				if raw == nil {
					continue
				}
				ev, err := decodeEventRecord(raw)
				if err != nil {
					return fmt.Errorf("event %d: %w", id.seq, err)
				}
				j.ev = ev
				jobs = append(jobs, j)
			}
			return nil
		})
		for _, j := range jobs {
			s.inflight[j.id] = struct{}{}
		}
	}
	s.inflightMu.Unlock()
	for _, j := range jobs {
		s.work <- j // never blocks: the channel holds as many jobs as may be in flight
	}
	return wait, err
}

func (s *Service) worker() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.work:
			if c, ok := s.attempt(j); ok {
				s.completions <- c // never blocks: one completion per task in flight
				continue
			}
			s.release(j.id)
		}
	}
}

// outcome is the result of one attempt.
type outcome struct {
	ok        bool
	retryable bool
	code, msg string
	// throttled: the API destination's rate limit allows no call for this
	// long; the task is put back without counting an attempt.
	throttled time.Duration
}

func failed(retryable bool, code, format string, args ...any) outcome {
	return outcome{retryable: retryable, code: code, msg: fmt.Sprintf(format, args...)}
}

// attempt delivers one task once and says what to record; false means
// the task stays as it was (the engine is shutting down).
func (s *Service) attempt(j job) (completion, bool) {
	s.mu.RLock()
	rule, t, ok := s.findTarget(j.ev.Region, j.ev.Bus, j.task.Rule, j.task.TargetID)
	s.mu.RUnlock()
	if !ok {
		// The rule or the target was removed: nothing to deliver to.
		return settled(j), true
	}
	region, bus := j.ev.Region, j.ev.Bus
	now := s.now()
	ingest := time.UnixMilli(j.ev.Ingest)
	if now.Sub(ingest) > t.maxAge() {
		return s.exhaust(j, &t, "MaximumEventAgeInSeconds", j.task.Attempts, j.task.ErrCode, j.task.ErrMsg)
	}
	if j.task.Attempts == 0 {
		s.ruleMetric(region, bus, rule.Name, "IngestionToInvocationStartLatency", unitMS, float64(now.Sub(ingest).Milliseconds()), now)
	}
	res := s.deliver(j, &rule, &t)
	if !res.ok && s.ctx.Err() != nil {
		return completion{}, false
	}
	if res.throttled > 0 {
		s.ruleMetric(region, bus, rule.Name, "ThrottledRules", unitCount, 1, now)
		return s.rescheduled(j, j.task.Attempts, res.throttled, j.task.ErrCode, j.task.ErrMsg), true
	}
	s.ruleMetric(region, bus, rule.Name, "InvocationAttempts", unitCount, 1, now)
	if res.ok {
		s.ruleMetric(region, bus, rule.Name, "SuccessfulInvocationAttempts", unitCount, 1, now)
		s.ruleMetric(region, bus, rule.Name, "Invocations", unitCount, 1, now)
		s.ruleMetric(region, bus, rule.Name, "IngestionToInvocationSuccessLatency", unitMS, float64(s.now().Sub(ingest).Milliseconds()), now)
		return settled(j), true
	}
	attempts := j.task.Attempts + 1
	if res.retryable && attempts <= t.maxRetries() {
		s.ruleMetric(region, bus, rule.Name, "RetryInvocationAttempts", unitCount, 1, now)
		return s.rescheduled(j, attempts, s.backoff(attempts-1), res.code, res.msg), true
	}
	condition := ""
	if res.retryable {
		condition = "MaximumRetryAttempts"
	}
	return s.exhaust(j, &t, condition, attempts, res.code, res.msg)
}

// exhaust gives up on a task: its event goes to the target's dead-letter
// queue when it has one, and is dropped otherwise.
func (s *Service) exhaust(j job, t *target, condition string, attempts int64, code, msg string) (completion, bool) {
	region, bus, rule := j.ev.Region, j.ev.Bus, j.task.Rule
	now := s.now()
	if code == "" {
		code, msg = "RETRY_EXHAUSTED", "The event could not be delivered before its maximum age."
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != nil {
		err := s.sendToDLQ(j, *t.DeadLetterConfig.Arn, condition, attempts, code, msg)
		if err != nil && s.ctx.Err() != nil {
			return completion{}, false // shutting down: try again after the restart
		}
		if err != nil {
			s.log.Warn("event delivery: dead-letter queue", "rule", rule, "target", j.task.TargetID, "err", err)
			s.ruleMetric(region, bus, rule, "InvocationsFailedToBeSentToDLQ", unitCount, 1, now)
		} else {
			s.ruleMetric(region, bus, rule, "InvocationsSentToDLQ", unitCount, 1, now)
		}
	}
	s.ruleMetric(region, bus, rule, "FailedInvocations", unitCount, 1, now)
	s.ruleMetric(region, bus, rule, "Invocations", unitCount, 1, now)
	return settled(j), true
}

// sendToDLQ sends the event to an SQS queue with the attributes
// EventBridge puts on dead-lettered events.
func (s *Service) sendToDLQ(j job, dlqArn, condition string, attempts int64, code, msg string) error {
	kind, a, name := classifyTarget(dlqArn)
	if kind != kindSQS || s.cfg.SQS == nil {
		return fmt.Errorf("dead-letter queue %s is not an SQS queue", dlqArn)
	}
	attrs := map[string]sqsAttribute{
		"RULE_ARN":       stringAttr(j.task.RuleArn),
		"TARGET_ARN":     stringAttr(j.task.TargetArn),
		"ERROR_CODE":     stringAttr(code),
		"ERROR_MESSAGE":  stringAttr(clip(msg, maxDLQMessage)),
		"RETRY_ATTEMPTS": stringAttr(itoa64(max(attempts-1, 0))),
	}
	if condition != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = stringAttr(condition)
	}
	in := sqsSendInput{QueueUrl: queuePath(name), MessageBody: string(j.ev.Body), MessageAttributes: attrs}
	return inproc.Call(inproc.InRegion(s.ctx, a.region), s.cfg.SQS, "SendMessage", in, nil)
}

type sqsAttribute struct {
	DataType    string
	StringValue string
}

func stringAttr(v string) sqsAttribute {
	if v == "" {
		v = "-"
	}
	return sqsAttribute{DataType: "String", StringValue: v}
}

type sqsSendInput struct {
	QueueUrl               string
	MessageBody            string
	MessageAttributes      map[string]sqsAttribute `json:",omitempty"`
	MessageGroupId         string                  `json:",omitempty"`
	MessageDeduplicationId string                  `json:",omitempty"`
}

// queuePath is a queue URL's path, which the SQS service takes as a URL.
func queuePath(name string) string { return "/" + wire.Account + "/" + name }

func settled(j job) completion { return completion{id: j.id} }

func (s *Service) rescheduled(j job, attempts int64, delay time.Duration, code, msg string) completion {
	return completion{id: j.id, reschedule: true, attempts: attempts, due: s.now().Add(delay).UnixNano(),
		code: code, msg: clip(msg, maxDLQMessage)}
}

// maxCompletionBatch bounds the outcomes recorded in one commit.
const maxCompletionBatch = 256

// completeLoop records outcomes, as many as are waiting in one commit, and
// then lets their tasks be dispatched again.
func (s *Service) completeLoop() {
	defer close(s.completerDone)
	batch := make([]completion, 0, maxCompletionBatch)
	for c := range s.completions {
		batch = append(batch[:0], c)
	drain:
		for len(batch) < maxCompletionBatch {
			select {
			case c, ok := <-s.completions:
				if !ok {
					break drain
				}
				batch = append(batch, c)
			default:
				break drain
			}
		}
		err := s.store.Update(func(tx *bolt.Tx) error {
			for _, c := range batch {
				if err := applyCompletion(tx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// The tasks stay as they were and are attempted again.
			s.log.Warn("event delivery: record outcomes", "err", err)
		}
		for _, c := range batch {
			s.release(c.id)
		}
	}
}

// release ends a task's time in flight.
func (s *Service) release(id taskID) {
	s.inflightMu.Lock()
	delete(s.inflight, id)
	s.inflightMu.Unlock()
	s.kick()
}

// applyCompletion removes a finished task (and its event once no task of
// it is left), or puts it back, due later.
func applyCompletion(tx *bolt.Tx, c completion) error {
	tasks, dues := bucket(tx, bucketTasks), bucket(tx, bucketDue)
	var t taskRecord
	found, err := getJSON(tasks, c.id.key(), &t)
	if err != nil || !found {
		return err
	}
	if err := dues.Delete(dueKey(t.Due, c.id)); err != nil {
		return err
	}
	if c.reschedule {
		t.Attempts, t.Due, t.ErrCode, t.ErrMsg = c.attempts, c.due, c.code, c.msg
		if err := putJSON(tasks, c.id.key(), t); err != nil {
			return err
		}
		return dues.Put(dueKey(c.due, c.id), []byte{})
	}
	if err := tasks.Delete(c.id.key()); err != nil {
		return err
	}
	prefix := seqKey(c.id.seq)
	if k, _ := tasks.Cursor().Seek(prefix); k != nil && hasPrefix(k, prefix) {
		return nil
	}
	return bucket(tx, bucketEvts).Delete(prefix)
}

// classifyError turns an SQS or Kinesis error into an outcome with the
// error codes EventBridge reports for dead-lettered events.
func classifyError(err error) outcome {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case "QueueDoesNotExist", "ResourceNotFoundException":
			return failed(false, "NO_RESOURCE", "The target does not exist: %s", ae.Message)
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestThrottled", "LimitExceededException":
			return failed(true, "THROTTLING", "The target throttled the request: %s", ae.Message)
		}
		if ae.Status >= 500 {
			return failed(true, "SDK_CLIENT_ERROR", "%s: %s", ae.Code, ae.Message)
		}
		return failed(false, "INVALID_PARAMETER", "%s: %s", ae.Code, ae.Message)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return failed(true, "TIMEOUT", "The target did not answer in time.")
	}
	return failed(true, "CONNECTION_FAILURE", "Unable to reach the target: %v", err)
}

// httpOutcome applies EventBridge's rule for API destinations: 401, 407,
// 409, 429 and 5xx are retried, other failures are not.
func httpOutcome(status int) outcome {
	switch {
	case status >= 200 && status < 300:
		return outcome{ok: true}
	case status == 429:
		return failed(true, "THROTTLING", "Unable to invoke ApiDestination endpoint: The endpoint answered HTTP %d.", status)
	case status == 401 || status == 407 || status == 409 || status >= 500:
		return failed(true, "SDK_CLIENT_ERROR", "Unable to invoke ApiDestination endpoint: The endpoint answered HTTP %d.", status)
	default:
		return failed(false, "SDK_CLIENT_ERROR", "Unable to invoke ApiDestination endpoint: The endpoint answered HTTP %d.", status)
	}
}
