package sensitivity

import "math"

// Ishigami is the Ishigami–Homma test function (1990) on x ∈ [−π, π]³:
// f = sin x1 + a sin² x2 + b x3⁴ sin x1, usually with a = 7, b = 0.1.
func Ishigami(x []float64, a, b float64) float64 {
	return math.Sin(x[0]) + a*math.Pow(math.Sin(x[1]), 2) + b*math.Pow(x[2], 4)*math.Sin(x[0])
}

// IshigamiIndices returns the analytic first-order and total indices of
// Ishigami with uniform inputs on [−π, π]:
//
//	V   = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
//	V1  = (1 + bπ⁴/5)²/2,  V2 = a²/8,  V3 = 0,  V13 = 8b²π⁸/225
//	S_i = V_i/V;  S_T1 = (V1+V13)/V, S_T2 = V2/V, S_T3 = V13/V
func IshigamiIndices(a, b float64) (first, total [3]float64) {
	p4 := math.Pow(math.Pi, 4)
	v := a*a/8 + b*p4/5 + b*b*p4*p4/18 + 0.5
	v1 := 0.5 * (1 + b*p4/5) * (1 + b*p4/5)
	v2 := a * a / 8
	v13 := 8 * b * b * p4 * p4 / 225
	return [3]float64{v1 / v, v2 / v, 0}, [3]float64{(v1 + v13) / v, v2 / v, v13 / v}
}

// GFunction is Sobol's g-function on x ∈ [0,1]^d:
// g = ∏ (|4x_i − 2| + a_i)/(1 + a_i). Input i's first-order partial
// variance is 1/(3(1+a_i)²), so a smaller a_i means a more important input.
func GFunction(x, a []float64) float64 {
	g := 1.0
	for i := range x {
		g *= (math.Abs(4*x[i]-2) + a[i]) / (1 + a[i])
	}
	return g
}
