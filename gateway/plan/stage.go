package plan

import "sort"

// mergeWithinSlack merges entity fetches to the same subgraph into one
// _entities call wherever their dependencies let them run at the same stage
// without making the plan deeper than its longest chain of fetches.
//
// Each entity fetch may run at any stage between the earliest its
// dependencies allow (asap) and the latest that still lets every fetch that
// waits for it finish by the last stage (alap). Stage by stage, a fetch whose
// latest stage has come takes along every compatible fetch of its subgraph
// that is ready by then: the interval-stabbing rule, which needs the fewest
// groups when windows do not move. A fetch with slack thus waits for a later
// fetch to the same subgraph instead of running alone; the executor still
// starts every fetch as soon as its own dependencies are done.
func (b *builder) mergeWithinSlack(fs []*fetch, asap map[int]int, maxLevel int, mergeInto func(g, f *fetch)) {
	byID := make(map[int]*fetch, len(fs))
	for _, f := range fs {
		byID[f.id] = f
	}
	dependents := map[int][]*fetch{}
	for _, f := range fs {
		for d := range f.deps {
			if d != f.id && byID[d] != nil {
				dependents[d] = append(dependents[d], f)
			}
		}
	}
	alap := map[int]int{}
	var latest func(f *fetch) int
	latest = func(f *fetch) int {
		if l, ok := alap[f.id]; ok {
			return l
		}
		alap[f.id] = maxLevel // guards against cycles, which planning never creates
		l := maxLevel
		for _, g := range dependents[f.id] {
			if gl := latest(g) - 1; gl < l {
				l = gl
			}
		}
		if l < asap[f.id] {
			l = asap[f.id]
		}
		alap[f.id] = l
		return l
	}
	ordered := append([]*fetch(nil), fs...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].id < ordered[j].id })

	stage := map[int]int{}
	ready := func(f *fetch, l int) bool {
		for d := range f.deps {
			if d == f.id || byID[d] == nil {
				continue
			}
			if s, ok := stage[d]; !ok || s >= l {
				return false
			}
		}
		return true
	}
	for l := 0; len(stage) < len(fs); l++ {
		stuck := l > maxLevel+len(fs) // never: every fetch is ready by the last stage
		var waiting []*fetch
		for _, f := range ordered {
			if _, done := stage[f.id]; done || (!ready(f, l) && !stuck) {
				continue
			}
			if !f.entity {
				stage[f.id] = l
				continue
			}
			waiting = append(waiting, f)
		}
		// Forced fetches lead, in id order; each takes the compatible rest.
		sort.SliceStable(waiting, func(i, j int) bool {
			fi, fj := latest(waiting[i]) <= l, latest(waiting[j]) <= l
			return fi && !fj
		})
		for _, g := range waiting {
			if _, done := stage[g.id]; done || latest(g) > l {
				continue
			}
			stage[g.id] = l
			for _, f := range waiting {
				if _, done := stage[f.id]; done || f.sg != g.sg || !compatible(g, f) || b.overlapping(g, f) {
					continue
				}
				mergeInto(g, f)
				stage[f.id] = l
			}
		}
	}
}

// mergedLevels numbers the stages of the fetches left after merging: each runs
// one stage after the latest fetch it depends on.
func mergedLevels(fs []*fetch, byID map[int]*fetch, alias map[int]int) map[int]int {
	head := func(id int) int {
		for {
			a, ok := alias[id]
			if !ok {
				return id
			}
			id = a
		}
	}
	level := map[int]int{}
	var levelOf func(id int) int
	levelOf = func(id int) int {
		if l, ok := level[id]; ok {
			return l
		}
		level[id] = 0 // guards against cycles, which merging never creates
		l := 0
		for d := range byID[id].deps {
			if byID[d] == nil {
				continue
			}
			if h := head(d); h != id {
				if dl := levelOf(h) + 1; dl > l {
					l = dl
				}
			}
		}
		level[id] = l
		return l
	}
	for _, f := range fs {
		if !f.merged {
			levelOf(f.id)
		}
	}
	for _, f := range fs {
		if f.merged {
			level[f.id] = level[head(f.id)]
		}
	}
	return level
}
