package plan

// TreeNode is a plan step in the plan's JSON form (Plan.Tree), for clients such
// as the playground that draw the plan.
type TreeNode struct {
	// Kind is "QueryPlan", "Sequence", "Parallel", "Flatten", "Fetch" or "Condition".
	Kind string `json:"kind"`
	// Nodes are the steps of a Sequence or Parallel.
	Nodes []*TreeNode `json:"nodes,omitempty"`
	// Node is the step of the QueryPlan or the fetch of a Flatten.
	Node *TreeNode `json:"node,omitempty"`
	// Paths are a Flatten's response paths, dot-joined, "@" for list elements.
	Paths []string `json:"paths,omitempty"`
	// Condition is a Condition's Boolean variable; IfClause runs when it is
	// true, ElseClause when it is false (either may be absent).
	Condition  string    `json:"condition,omitempty"`
	IfClause   *TreeNode `json:"ifClause,omitempty"`
	ElseClause *TreeNode `json:"elseClause,omitempty"`
	// The remaining fields describe a Fetch.
	ServiceName   string `json:"serviceName,omitempty"`
	ID            *int   `json:"id,omitempty"`
	DependsOn     []int  `json:"dependsOn,omitempty"`
	Requires      string `json:"requires,omitempty"`
	Operation     string `json:"operation,omitempty"`
	OperationKind string `json:"operationKind,omitempty"`
}

// Tree returns the plan in its JSON form.
func (p *Plan) Tree() *TreeNode {
	t := &TreeNode{Kind: "QueryPlan"}
	if p.Root != nil {
		t.Node = treeNode(p.Root)
	}
	return t
}

func treeNode(n Node) *TreeNode {
	switch n := n.(type) {
	case *Sequence:
		t := &TreeNode{Kind: "Sequence"}
		for _, c := range n.Nodes {
			t.Nodes = append(t.Nodes, treeNode(c))
		}
		return t
	case *Parallel:
		t := &TreeNode{Kind: "Parallel"}
		for _, c := range n.Nodes {
			t.Nodes = append(t.Nodes, treeNode(c))
		}
		return t
	case *Flatten:
		t := &TreeNode{Kind: "Flatten", Node: treeNode(n.Fetch)}
		for _, p := range n.Paths {
			t.Paths = append(t.Paths, p.String())
		}
		return t
	case *Condition:
		t := &TreeNode{Kind: "Condition", Condition: n.Variable}
		if n.If != nil {
			t.IfClause = treeNode(n.If)
		}
		if n.Else != nil {
			t.ElseClause = treeNode(n.Else)
		}
		return t
	case *Fetch:
		id := n.ID
		t := &TreeNode{Kind: "Fetch", ServiceName: n.Subgraph, ID: &id, DependsOn: n.DependsOn, Operation: n.Operation, OperationKind: "query"}
		if n.Mutation {
			t.OperationKind = "mutation"
		}
		if n.Entity {
			t.Requires = repString(n.Requires)
		}
		return t
	}
	return nil
}
