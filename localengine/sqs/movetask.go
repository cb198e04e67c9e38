package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Message move task statuses.
const (
	taskRunning    = "RUNNING"
	taskCompleted  = "COMPLETED"
	taskCancelling = "CANCELLING"
	taskCancelled  = "CANCELLED"
	taskFailed     = "FAILED"
)

const (
	maxMoveRate       = 500
	unratedMoveBatch  = 100
	keptTasksPerQueue = 10
	maxListTasks      = 10
)

type startMoveTaskInput struct {
	SourceArn                    *string
	DestinationArn               *string
	MaxNumberOfMessagesPerSecond *int64
}

type startMoveTaskOutput struct {
	TaskHandle string
}

type cancelMoveTaskInput struct {
	TaskHandle *string
}

type cancelMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64
}

type listMoveTasksInput struct {
	SourceArn  *string
	MaxResults *int64
}

type moveTaskEntry struct {
	TaskHandle                        string `json:",omitempty"`
	Status                            string
	SourceArn                         string
	DestinationArn                    string `json:",omitempty"`
	MaxNumberOfMessagesPerSecond      *int64 `json:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove *int64 `json:",omitempty"`
	FailureReason                     string `json:",omitempty"`
	StartedTimestamp                  int64
}

type listMoveTasksOutput struct {
	Results []moveTaskEntry
}

// moveTaskRecord is a task's durable state. A task moves the messages that
// were in its source when it started (sequence <= MaxSeq).
//
// After a restart, RUNNING tasks resume where they stopped and CANCELLING
// ones become CANCELLED.
type moveTaskRecord struct {
	ID             string `json:"id"`
	Handle         string `json:"handle"`
	SourceArn      string `json:"source"`
	SourceID       uint64 `json:"sourceId"`
	DestinationArn string `json:"destination,omitempty"`
	Rate           int64  `json:"rate,omitempty"`
	Status         string `json:"status"`
	Moved          int64  `json:"moved"`
	ToMove         int64  `json:"toMove"`
	Started        int64  `json:"started"`
	FailureReason  string `json:"failure,omitempty"`
	MaxSeq         uint64 `json:"maxSeq"`
}

type moveTask struct {
	rec moveTaskRecord
	// poke interrupts the runner's pause (cancel, shutdown).
	poke chan struct{}
}

func (t *moveTask) active() bool {
	return t.rec.Status == taskRunning || t.rec.Status == taskCancelling
}

// taskHandle encodes the task id and source the way AWS's handles do
// (base64 of a small JSON document).
func taskHandle(id, source string) string {
	b, _ := json.Marshal(map[string]string{"taskId": id, "sourceArn": source})
	return base64.StdEncoding.EncodeToString(b)
}

func parseTaskHandle(h string) (string, bool) {
	if len(h) > 4096 {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return "", false
	}
	var v struct {
		TaskID string `json:"taskId"`
	}
	if json.Unmarshal(b, &v) != nil || v.TaskID == "" {
		return "", false
	}
	return v.TaskID, true
}

func putTask(tx *bolt.Tx, rec *moveTaskRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return root(tx).Bucket(bucketTasks).Put([]byte(rec.ID), b)
}

// saveTaskLocked queues a write of t's record.
func (s *Service) saveTaskLocked(t *moveTask) <-chan error {
	rec := t.rec
	return s.submitLocked(func(tx *bolt.Tx) error { return putTask(tx, &rec) })
}

// isDeadLetterQueueLocked reports whether some queue's RedrivePolicy
// names q.
func (s *Service) isDeadLetterQueueLocked(q *queue) bool {
	for _, src := range s.byID {
		if r := src.rec.Config.Redrive; r != nil && r.DeadLetterTargetArn == q.arn {
			return true
		}
	}
	return false
}

func (s *Service) startMessageMoveTask(_ context.Context, in *startMoveTaskInput) (*startMoveTaskOutput, error) {
	if in.SourceArn == nil || *in.SourceArn == "" {
		return nil, errMissing("SourceArn")
	}
	var rate int64
	if r := in.MaxNumberOfMessagesPerSecond; r != nil {
		if *r < 1 || *r > maxMoveRate {
			return nil, errInvalidValue(*r, "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500.")
		}
		rate = *r
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	src := s.lookupArnLocked(*in.SourceArn)
	if src == nil {
		s.mu.Unlock()
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if !s.isDeadLetterQueueLocked(src) {
		s.mu.Unlock()
		return nil, errUnsupported("Source queue must be configured as a Dead Letter Queue.")
	}
	dest := ""
	if in.DestinationArn != nil && *in.DestinationArn != "" {
		dst := s.lookupArnLocked(*in.DestinationArn)
		if dst == nil {
			s.mu.Unlock()
			return nil, errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if dst == src {
			s.mu.Unlock()
			return nil, errInvalidParameter("Value %s for parameter DestinationArn is invalid. Reason: Source queue and destination queue must be different.", dst.arn)
		}
		if dst.fifo() != src.fifo() {
			s.mu.Unlock()
			return nil, errInvalidParameter("Value %s for parameter DestinationArn is invalid. Reason: Destination queue must be of the same type as the source queue.", dst.arn)
		}
		dest = dst.arn
	}
	for _, t := range s.tasks {
		if t.rec.SourceID == src.rec.ID && t.active() {
			s.mu.Unlock()
			return nil, errUnsupported("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	id := newMessageID()
	t := &moveTask{poke: make(chan struct{}, 1), rec: moveTaskRecord{
		ID: id, Handle: taskHandle(id, src.arn), SourceArn: src.arn, SourceID: src.rec.ID,
		DestinationArn: dest, Rate: rate, Status: taskRunning, ToMove: int64(src.idx.size()),
		Started: s.now(), MaxSeq: src.nextSeq - 1,
	}}
	s.tasks[id] = t
	done := s.saveTaskLocked(t)
	s.pruneTasksLocked(src.rec.ID)
	s.workers.Add(1)
	go s.runTask(t)
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return &startMoveTaskOutput{TaskHandle: t.rec.Handle}, nil
}

// pruneTasksLocked keeps the most recent finished tasks of a source.
func (s *Service) pruneTasksLocked(sourceID uint64) {
	var finished []*moveTask
	for _, t := range s.tasks {
		if t.rec.SourceID == sourceID && !t.active() {
			finished = append(finished, t)
		}
	}
	if len(finished) <= keptTasksPerQueue {
		return
	}
	sortTasks(finished)
	var ids []string
	for _, t := range finished[keptTasksPerQueue:] {
		delete(s.tasks, t.rec.ID)
		ids = append(ids, t.rec.ID)
	}
	s.submitLocked(func(tx *bolt.Tx) error { return deleteTasks(tx, ids) })
}

// forgetTasksLocked drops the tasks of a deleted source queue, stopping a
// running one, and returns their ids for the store.
func (s *Service) forgetTasksLocked(sourceID uint64) []string {
	var ids []string
	for id, t := range s.tasks {
		if t.rec.SourceID != sourceID {
			continue
		}
		delete(s.tasks, id)
		ids = append(ids, id)
		select {
		case t.poke <- struct{}{}:
		default:
		}
	}
	return ids
}

func deleteTasks(tx *bolt.Tx, ids []string) error {
	b := root(tx).Bucket(bucketTasks)
	for _, id := range ids {
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// sortTasks orders tasks most recent first.
func sortTasks(ts []*moveTask) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].rec.Started != ts[j].rec.Started {
			return ts[i].rec.Started > ts[j].rec.Started
		}
		return ts[i].rec.ID > ts[j].rec.ID
	})
}

func (s *Service) cancelMessageMoveTask(_ context.Context, in *cancelMoveTaskInput) (*cancelMoveTaskOutput, error) {
	if in.TaskHandle == nil || *in.TaskHandle == "" {
		return nil, errMissing("TaskHandle")
	}
	id, ok := parseTaskHandle(*in.TaskHandle)
	if !ok {
		return nil, errResourceNotFound("Task does not exist.")
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	t := s.tasks[id]
	if t == nil {
		s.mu.Unlock()
		return nil, errResourceNotFound("Task does not exist.")
	}
	if t.rec.Status != taskRunning {
		s.mu.Unlock()
		return nil, errUnsupported("Only a RUNNING task can be cancelled; this one is %s.", t.rec.Status)
	}
	t.rec.Status = taskCancelling
	moved := t.rec.Moved
	done := s.saveTaskLocked(t)
	select {
	case t.poke <- struct{}{}:
	default:
	}
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return &cancelMoveTaskOutput{ApproximateNumberOfMessagesMoved: moved}, nil
}

func (s *Service) listMessageMoveTasks(_ context.Context, in *listMoveTasksInput) (*listMoveTasksOutput, error) {
	if in.SourceArn == nil || *in.SourceArn == "" {
		return nil, errMissing("SourceArn")
	}
	limit := 1
	if n := in.MaxResults; n != nil {
		if *n < 1 || *n > maxListTasks {
			return nil, errInvalidValue(*n, "MaxResults", "Must be between 1 and 10.")
		}
		limit = int(*n)
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	src := s.lookupArnLocked(*in.SourceArn)
	if src == nil {
		s.mu.Unlock()
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	var ts []*moveTask
	for _, t := range s.tasks {
		if t.rec.SourceID == src.rec.ID {
			ts = append(ts, t)
		}
	}
	sortTasks(ts)
	if len(ts) > limit {
		ts = ts[:limit]
	}
	out := &listMoveTasksOutput{Results: []moveTaskEntry{}}
	for _, t := range ts {
		r := t.rec
		e := moveTaskEntry{Status: r.Status, SourceArn: r.SourceArn, DestinationArn: r.DestinationArn,
			ApproximateNumberOfMessagesMoved: r.Moved, StartedTimestamp: r.Started, FailureReason: r.FailureReason}
		toMove := r.ToMove
		e.ApproximateNumberOfMessagesToMove = &toMove
		if r.Rate > 0 {
			rate := r.Rate
			e.MaxNumberOfMessagesPerSecond = &rate
		}
		if r.Status == taskRunning {
			e.TaskHandle = r.Handle
		}
		out.Results = append(out.Results, e)
	}
	s.mu.Unlock()
	return out, nil
}

// resumeTasksLocked restarts the tasks a shutdown interrupted.
func (s *Service) resumeTasksLocked() {
	for _, t := range s.tasks {
		t.poke = make(chan struct{}, 1)
		switch t.rec.Status {
		case taskRunning:
			s.workers.Add(1)
			go s.runTask(t)
		case taskCancelling:
			t.rec.Status = taskCancelled
			s.saveTaskLocked(t)
		}
	}
}

// moveBatch is how many messages one step moves and how long the task
// then pauses, to hold MaxNumberOfMessagesPerSecond.
func moveBatch(rate int64) (int, time.Duration) {
	if rate <= 0 {
		return unratedMoveBatch, 0
	}
	n := rate / 10
	if n < 1 {
		n = 1
	}
	return int(n), time.Duration(n) * time.Second / time.Duration(rate)
}

// runTask moves a task's messages step by step until done, cancelled,
// failed or the service stops.
func (s *Service) runTask(t *moveTask) {
	defer s.workers.Done()
	n, pause := moveBatch(t.rec.Rate)
	for {
		select {
		case <-s.stopping:
			return
		default:
		}
		done, finished := s.moveStep(t, n)
		if done != nil {
			if err := <-done; err != nil {
				s.log.Error("message move task step failed", "task", t.rec.ID, "err", err)
			}
		}
		if finished {
			return
		}
		if pause > 0 {
			timer := time.NewTimer(pause)
			select {
			case <-s.stopping:
				timer.Stop()
				return
			case <-t.poke:
			case <-timer.C:
			}
			timer.Stop()
		}
	}
}

// taskMove is one message carried by a task step.
type taskMove struct {
	srcSeq uint64
	dstQID uint64
	dstSeq uint64
	state  msgState
}

// moveStep moves up to n messages; finished reports that the task ended.
func (s *Service) moveStep(t *moveTask, n int) (<-chan error, bool) {
	if err := s.lock(); err != nil {
		return nil, false
	}
	defer s.mu.Unlock()
	end := func(status, reason string) (<-chan error, bool) {
		t.rec.Status, t.rec.FailureReason = status, reason
		return s.saveTaskLocked(t), true
	}
	if s.tasks[t.rec.ID] != t {
		return nil, true // its source queue was deleted
	}
	if t.rec.Status == taskCancelling {
		return end(taskCancelled, "")
	}
	if t.rec.Status != taskRunning {
		return nil, true
	}
	src := s.byID[t.rec.SourceID]
	if src == nil {
		return end(taskFailed, "AWS.SimpleQueueService.NonExistentQueue")
	}
	now := s.now()
	expired := s.expireLocked(src, now, false)
	entries := src.idx.take(now, t.rec.MaxSeq, n)
	var moves []taskMove
	failure := ""
	for i, e := range entries {
		dstArn := t.rec.DestinationArn
		if dstArn == "" {
			dstArn = e.srcArn
		}
		dst := s.lookupArnLocked(dstArn)
		if dst == nil || dst.fifo() != src.fifo() {
			// Put back what cannot move, and stop.
			for _, back := range entries[i:] {
				src.idx.add(back, now)
			}
			if dstArn == "" {
				failure = "A message in the source queue has no original source queue; specify DestinationArn."
			} else {
				failure = "AWS.SimpleQueueService.NonExistentQueue"
			}
			break
		}
		ne := &entry{seq: dst.nextSeq, visibleAt: now, sentAt: e.sentAt, enqAt: now, hidx: -1, aidx: -1}
		dst.nextSeq++
		if dst.fifo() {
			ne.group = &group{id: e.groupID(), hidx: -1}
		}
		dst.idx.add(ne, now)
		dst.signal()
		moves = append(moves, taskMove{srcSeq: e.seq, dstQID: dst.rec.ID, dstSeq: ne.seq, state: ne.state()})
	}
	t.rec.Moved += int64(len(moves))
	switch {
	case failure != "":
		t.rec.Status, t.rec.FailureReason = taskFailed, failure
	case len(entries) == 0:
		t.rec.Status = taskCompleted
	}
	rec := t.rec
	srcID := src.rec.ID
	done := s.submitLocked(func(tx *bolt.Tx) error {
		for _, seq := range expired {
			if err := deleteMessage(tx, srcID, seq); err != nil {
				return err
			}
		}
		for i := range moves {
			mv := &moves[i]
			if err := moveMessage(tx, srcID, &redrive{srcSeq: mv.srcSeq, dstQID: mv.dstQID, dstSeq: mv.dstSeq, state: mv.state}); err != nil {
				return err
			}
		}
		return putTask(tx, &rec)
	})
	return done, t.rec.Status != taskRunning
}
