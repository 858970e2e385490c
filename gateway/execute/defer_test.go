package execute

import (
	"slices"
	"testing"
)

func TestSplitStepsKeepsDependenciesOfTheFirstPart(t *testing.T) {
	t.Parallel()
	// 0 root; 1 deferred entity fetch; 2 deferred, but the first part's
	// fetch 3 needs it (a required field); 4 deferred, after 1.
	steps := []step{{id: 0}, {id: 1, deps: []int{0}}, {id: 2, deps: []int{0}}, {id: 3, deps: []int{2}}, {id: 4, deps: []int{1}}}
	now, later := splitSteps(steps, map[int]bool{1: true, 2: true, 4: true})
	ids := func(ss []step) []int {
		var out []int
		for _, s := range ss {
			out = append(out, s.id)
		}
		return out
	}
	if got := ids(now); !slices.Equal(got, []int{0, 2, 3}) {
		t.Errorf("first phase = %v, want [0 2 3]", got)
	}
	if got := ids(later); !slices.Equal(got, []int{1, 4}) {
		t.Errorf("second phase = %v, want [1 4]", got)
	}
	if now, later := splitSteps(steps, nil); len(now) != len(steps) || later != nil {
		t.Errorf("without deferred fetches: %v / %v", ids(now), ids(later))
	}
}
