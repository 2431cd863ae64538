package discovery

import (
	"fmt"
	"math"
	"slices"
)

// TreeOptions tune the classification tree.
type TreeOptions struct {
	// MaxDepth bounds the number of splits from root to leaf (4).
	MaxDepth int
	// MinLeaf is the smallest number of points in a leaf (5, or 1% of the
	// points if more).
	MinLeaf int
	// Level is the confidence level of the leaves' intervals (0.95).
	Level float64
}

// Leaf is one leaf of a classification tree: its box (with coverage and
// density of the case label) and its majority label.
type Leaf struct {
	Box   Box
	Label bool
}

// Tree grows a classification tree (CART) on (x, y): each node splits on
// the dimension and threshold (midway between consecutive distinct values)
// that minimise the weighted Gini impurity of its children,
//
//	G = Σ_child (n_child/n) · 2 p_child (1 − p_child),   p = share labelled true,
//
// and stops at MaxDepth, below 2·MinLeaf points, at a pure node, or when no
// split lowers the impurity. It returns the leaves, left to right.
func Tree(x [][]float64, y []bool, opt TreeOptions) ([]Leaf, error) {
	if len(x) == 0 || len(x) != len(y) {
		return nil, fmt.Errorf("a tree needs as many labels as points and at least one point, got %d and %d", len(x), len(y))
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 4
	}
	if opt.MinLeaf <= 0 {
		opt.MinLeaf = max(5, len(x)/100)
	}
	if opt.Level <= 0 {
		opt.Level = 0.95
	}
	idx := make([]int, len(x))
	for k := range idx {
		idx[k] = k
	}
	var leaves []Leaf
	var grow func(in []int, box Box, depth int)
	grow = func(in []int, box Box, depth int) {
		pos := 0
		for _, i := range in {
			if y[i] {
				pos++
			}
		}
		n := len(in)
		gini := func(p, n int) float64 {
			if n == 0 {
				return 0
			}
			f := float64(p) / float64(n)
			return 2 * f * (1 - f)
		}
		parent := gini(pos, n)
		bestG, bestJ, bestT := parent, -1, 0.0
		if depth < opt.MaxDepth && n >= 2*opt.MinLeaf && pos > 0 && pos < n {
			order := slices.Clone(in)
			for j := range x[0] {
				slices.SortFunc(order, func(a, b int) int {
					switch {
					case x[a][j] < x[b][j]:
						return -1
					case x[a][j] > x[b][j]:
						return 1
					}
					return a - b
				})
				leftPos := 0
				for k := 0; k < n-1; k++ {
					if y[order[k]] {
						leftPos++
					}
					nl := k + 1
					if nl < opt.MinLeaf || n-nl < opt.MinLeaf {
						continue
					}
					a, b := x[order[k]][j], x[order[k+1]][j]
					if a == b {
						continue
					}
					g := (float64(nl)*gini(leftPos, nl) + float64(n-nl)*gini(pos-leftPos, n-nl)) / float64(n)
					if g < bestG-1e-12 {
						bestG, bestJ, bestT = g, j, (a+b)/2
					}
				}
			}
		}
		if bestJ < 0 {
			box.Stats = box.Evaluate(x, y, opt.Level)
			leaves = append(leaves, Leaf{Box: box, Label: 2*pos > n})
			return
		}
		var left, right []int
		for _, i := range in {
			if x[i][bestJ] <= bestT {
				left = append(left, i)
			} else {
				right = append(right, i)
			}
		}
		lb, rb := cloneBox(box), cloneBox(box)
		lb.Hi[bestJ] = bestT
		rb.Lo[bestJ] = math.Nextafter(bestT, math.Inf(1))
		grow(left, lb, depth+1)
		grow(right, rb, depth+1)
	}
	grow(idx, Unbounded(len(x[0])), 0)
	return leaves, nil
}
