package common

import "testing"

func TestGatherTakesWhatIsReadyUpToMax(t *testing.T) {
	ch := make(chan int, 10)
	for i := range 5 {
		ch <- i
	}
	got, closed := Gather(ch, 3)
	if len(got) != 3 || got[2] != 2 || closed {
		t.Fatalf("%v %v", got, closed)
	}
	got, closed = Gather(ch, 10)
	if len(got) != 2 || closed {
		t.Fatalf("%v %v", got, closed)
	}
	ch <- 9
	close(ch)
	got, closed = Gather(ch, 10)
	if len(got) != 1 || !closed {
		t.Fatalf("%v %v", got, closed)
	}
	if got, closed = Gather(ch, 10); got != nil || !closed {
		t.Fatalf("%v %v", got, closed)
	}
}
