using System;

namespace CurveFit;

/// <summary>Writes the residuals r(x) of a least-squares problem.</summary>
public delegate void ResidualFunction(ReadOnlySpan<double> parameters, Span<double> residuals);

/// <summary>Writes the residuals r(x) and their Jacobian ∂r/∂x (residuals × parameters, row-major).</summary>
public delegate void JacobianFunction(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian);

/// <summary>Why <see cref="LevenbergMarquardt.Step"/> stopped, or <see cref="Running"/> after an accepted step.</summary>
public enum FitStatus
{
    Running,
    /// <summary>The gradient Jᵀr is below the tolerance: a minimum.</summary>
    SmallGradient,
    /// <summary>The step is below the tolerance relative to the parameters.</summary>
    SmallStep,
    /// <summary>The damping grew without finding a step that lowers the cost.</summary>
    NoProgress,
}

/// <summary>
/// Levenberg–Marquardt for min ½‖r(x)‖² (Madsen, Nielsen and Tingleff, "Methods for non-linear least squares problems",
/// 2004, algorithm 3.16, with Marquardt's scaling): each step solves (JᵀJ + μ·diag(JᵀJ)) h = −Jᵀr by Cholesky, takes it
/// when the cost goes down, and updates the damping μ from the ratio of the actual to the predicted decrease
/// (Nielsen's rule). The buffers are allocated once; <see cref="Step"/> allocates nothing.
/// </summary>
public sealed class LevenbergMarquardt
{
    private readonly int _n, _m;
    private readonly ResidualFunction _residuals;
    private readonly JacobianFunction _jacobian;
    private readonly double[] _x, _trial, _r, _trialR, _j, _jtj, _g, _h, _factor, _scale;
    private double _mu, _nu;

    public LevenbergMarquardt(int parameters, int residuals, ResidualFunction residualFunction, JacobianFunction jacobianFunction)
    {
        if (parameters < 1 || residuals < parameters) throw new ArgumentException("Needs at least one parameter and as many residuals as parameters.");
        _n = parameters;
        _m = residuals;
        _residuals = residualFunction;
        _jacobian = jacobianFunction;
        _x = new double[_n];
        _trial = new double[_n];
        _g = new double[_n];
        _h = new double[_n];
        _scale = new double[_n];
        _r = new double[_m];
        _trialR = new double[_m];
        _j = new double[_m * _n];
        _jtj = new double[_n * _n];
        _factor = new double[_n * _n];
    }

    /// <summary>The first damping μ, relative to diag(JᵀJ): small when the start is believed good, 1 or more when not.</summary>
    public double InitialDamping { get; init; } = 1e-3;

    /// <summary>Stop when ‖Jᵀr‖∞ falls to this.</summary>
    public double GradientTolerance { get; init; } = 1e-12;

    /// <summary>Stop when ‖h‖ ≤ StepTolerance·(‖x‖ + StepTolerance).</summary>
    public double StepTolerance { get; init; } = 1e-12;

    public ReadOnlySpan<double> Parameters => _x;

    /// <summary>½‖r(x)‖² at the current parameters.</summary>
    public double Cost { get; private set; }

    /// <summary>The damping μ of the next step.</summary>
    public double Damping => _mu;

    /// <summary>Accepted steps since <see cref="Start"/>.</summary>
    public int Iterations { get; private set; }

    /// <summary>Evaluations of the residuals alone (trial points) and of the residuals with the Jacobian.</summary>
    public int ResidualEvaluations { get; private set; }

    public int JacobianEvaluations { get; private set; }

    /// <summary>Starts from <paramref name="initial"/>: evaluates the residuals and the Jacobian there.</summary>
    public void Start(ReadOnlySpan<double> initial)
    {
        if (initial.Length != _n) throw new ArgumentException($"Expected {_n} parameters, got {initial.Length}.", nameof(initial));
        initial.CopyTo(_x);
        Iterations = ResidualEvaluations = JacobianEvaluations = 0;
        Linearize();
        _mu = InitialDamping;
        _nu = 2;
    }

    /// <summary>
    /// Tries damped steps until one lowers the cost, takes it and returns <see cref="FitStatus.Running"/>; or returns why it
    /// stopped (the parameters are then the best found).
    /// </summary>
    public FitStatus Step()
    {
        if (MaxAbs(_g) <= GradientTolerance) return FitStatus.SmallGradient;
        while (_nu < 1e30)
        {
            // (JᵀJ + μ·D) h = −g with D = diag(JᵀJ): Marquardt's scaling makes the step independent of the parameters' units.
            for (int a = 0; a < _n; a++)
                for (int b = 0; b < _n; b++)
                    _factor[a * _n + b] = _jtj[a * _n + b] + (a == b ? _mu * _scale[a] : 0);
            if (!Cholesky(_factor, _n))
            {
                Reject();
                continue;
            }
            for (int k = 0; k < _n; k++) _h[k] = -_g[k];
            SolveInPlace(_factor, _n, _h);

            double stepNorm = 0, xNorm = 0;
            for (int k = 0; k < _n; k++)
            {
                stepNorm += _h[k] * _h[k];
                xNorm += _x[k] * _x[k];
            }
            if (Math.Sqrt(stepNorm) <= StepTolerance * (Math.Sqrt(xNorm) + StepTolerance)) return FitStatus.SmallStep;

            for (int k = 0; k < _n; k++) _trial[k] = _x[k] + _h[k];
            _residuals(_trial, _trialR);
            ResidualEvaluations++;
            double trialCost = HalfSquaredNorm(_trialR);

            // The decrease the linear model predicts: L(0) − L(h) = ½ hᵀ(μ·D·h − g), positive for any μ > 0.
            double predicted = 0;
            for (int k = 0; k < _n; k++) predicted += _h[k] * (_mu * _scale[k] * _h[k] - _g[k]);
            predicted *= 0.5;
            double rho = (Cost - trialCost) / predicted;
            if (double.IsFinite(trialCost) && rho > 0)
            {
                _trial.CopyTo(_x, 0);
                Linearize();
                double shrink = 2 * rho - 1;
                _mu *= Math.Max(1.0 / 3, 1 - shrink * shrink * shrink);
                _nu = 2;
                Iterations++;
                return FitStatus.Running;
            }
            Reject();
        }
        return FitStatus.NoProgress;
    }

    /// <summary>
    /// The standard errors of the parameters at the current point: the square roots of the diagonal of σ²(JᵀJ)⁻¹, with σ²
    /// estimated as ‖r‖²/(residuals − parameters).
    /// </summary>
    public void StandardErrors(Span<double> errors)
    {
        if (errors.Length != _n) throw new ArgumentException($"Expected {_n} entries, got {errors.Length}.", nameof(errors));
        Array.Copy(_jtj, _factor, _jtj.Length);
        if (!Cholesky(_factor, _n))
        {
            errors.Fill(double.PositiveInfinity);
            return;
        }
        double variance = 2 * Cost / (_m - _n);
        for (int k = 0; k < _n; k++)
        {
            Array.Clear(_h);
            _h[k] = 1;
            SolveInPlace(_factor, _n, _h);
            errors[k] = Math.Sqrt(variance * _h[k]);
        }
    }

    private void Reject()
    {
        _mu *= _nu;
        _nu *= 2;
    }

    /// <summary>Residuals and Jacobian at x; the cost, JᵀJ, the gradient g = Jᵀr and the scaling D = diag(JᵀJ).</summary>
    private void Linearize()
    {
        _jacobian(_x, _r, _j);
        JacobianEvaluations++;
        Cost = HalfSquaredNorm(_r);
        Array.Clear(_jtj);
        Array.Clear(_g);
        for (int i = 0; i < _m; i++)
        {
            int row = i * _n;
            for (int a = 0; a < _n; a++)
            {
                double ja = _j[row + a];
                _g[a] += ja * _r[i];
                for (int b = 0; b <= a; b++) _jtj[a * _n + b] += ja * _j[row + b];
            }
        }
        for (int a = 0; a < _n; a++)
        {
            for (int b = 0; b < a; b++) _jtj[b * _n + a] = _jtj[a * _n + b];
            _scale[a] = Math.Max(_jtj[a * _n + a], 1e-12);
        }
    }

    private static double HalfSquaredNorm(ReadOnlySpan<double> r)
    {
        double sum = 0;
        foreach (double v in r) sum += v * v;
        return 0.5 * sum;
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double max = 0;
        foreach (double e in v) max = Math.Max(max, Math.Abs(e));
        return max;
    }

    /// <summary>A = L·Lᵀ in place (L in the lower triangle); false when A is not (numerically) positive definite.</summary>
    private static bool Cholesky(double[] a, int n)
    {
        for (int c = 0; c < n; c++)
        {
            double diagonal = a[c * n + c];
            for (int k = 0; k < c; k++) diagonal -= a[c * n + k] * a[c * n + k];
            if (!(diagonal > 0)) return false;
            double l = Math.Sqrt(diagonal);
            a[c * n + c] = l;
            for (int r = c + 1; r < n; r++)
            {
                double v = a[r * n + c];
                for (int k = 0; k < c; k++) v -= a[r * n + k] * a[c * n + k];
                a[r * n + c] = v / l;
            }
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ x = b in place, with L from <see cref="Cholesky"/>.</summary>
    private static void SolveInPlace(double[] l, int n, double[] b)
    {
        for (int r = 0; r < n; r++)
        {
            double v = b[r];
            for (int k = 0; k < r; k++) v -= l[r * n + k] * b[k];
            b[r] = v / l[r * n + r];
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double v = b[r];
            for (int k = r + 1; k < n; k++) v -= l[k * n + r] * b[k];
            b[r] = v / l[r * n + r];
        }
    }
}
