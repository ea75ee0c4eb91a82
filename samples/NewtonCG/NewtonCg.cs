using System;

namespace NewtonCG;

/// <summary>Returns f(x).</summary>
public delegate double ObjectiveFunction(ReadOnlySpan<double> x);

/// <summary>Returns f(x) and writes (assigns) its gradient ∇f(x).</summary>
public delegate double GradientFunction(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>Writes (assigns) the Hessian–vector product ∇²f(x)·v.</summary>
public delegate void HessianVectorFunction(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> product);

/// <summary>Why <see cref="NewtonCg.Step"/> stopped, or <see cref="Running"/> after an accepted step.</summary>
public enum NewtonStatus
{
    Running,
    /// <summary>‖∇f‖ is below the tolerance: a stationary point.</summary>
    Converged,
    /// <summary>The line search found no step that lowers f enough.</summary>
    NoProgress,
}

/// <summary>
/// Line-search Newton–CG, a truncated Newton method (Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithm
/// 7.1): each step solves ∇²f·p = −∇f approximately by conjugate gradients, which touch the Hessian only through
/// Hessian–vector products, and stops them when the residual falls below min(0.5, √‖∇f‖)·‖∇f‖ (superlinear convergence)
/// or at a direction of non-positive curvature; then a backtracking (Armijo) line search from the full step. The
/// Hessian is never formed. The buffers are allocated once; <see cref="Step"/> allocates nothing.
/// </summary>
public sealed class NewtonCg
{
    private const double Armijo = 1e-4;
    private readonly int _n;
    private readonly ObjectiveFunction _objective;
    private readonly GradientFunction _gradient;
    private readonly HessianVectorFunction _hessianVector;
    private readonly double[] _x, _g, _p, _r, _d, _hd, _trial;

    public NewtonCg(int dimension, ObjectiveFunction objective, GradientFunction gradient, HessianVectorFunction hessianVector)
    {
        if (dimension < 1) throw new ArgumentException("Needs at least one variable.", nameof(dimension));
        _n = dimension;
        _objective = objective;
        _gradient = gradient;
        _hessianVector = hessianVector;
        _x = new double[_n];
        _g = new double[_n];
        _p = new double[_n];
        _r = new double[_n];
        _d = new double[_n];
        _hd = new double[_n];
        _trial = new double[_n];
    }

    /// <summary>Stop when ‖∇f‖₂ falls to this.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>The most conjugate-gradient iterations per Newton step.</summary>
    public int MaxCgIterations { get; init; } = 200;

    public ReadOnlySpan<double> Point => _x;

    /// <summary>f at the current point.</summary>
    public double Value { get; private set; }

    /// <summary>‖∇f‖₂ at the current point.</summary>
    public double GradientNorm { get; private set; }

    /// <summary>Accepted Newton steps since <see cref="Start"/>.</summary>
    public int Iterations { get; private set; }

    /// <summary>Conjugate-gradient iterations (one Hessian–vector product each) of the last step.</summary>
    public int LastCgIterations { get; private set; }

    /// <summary>The step length the line search took in the last step (1: the full Newton–CG step).</summary>
    public double LastStepLength { get; private set; }

    /// <summary>Evaluations since <see cref="Start"/>: of f alone (line search), of f and ∇f, and of ∇²f·v.</summary>
    public int ObjectiveEvaluations { get; private set; }

    public int GradientEvaluations { get; private set; }

    public int HessianVectorProducts { get; private set; }

    /// <summary>Starts from <paramref name="initial"/>: evaluates f and ∇f there.</summary>
    public void Start(ReadOnlySpan<double> initial)
    {
        if (initial.Length != _n) throw new ArgumentException($"Expected {_n} variables, got {initial.Length}.", nameof(initial));
        initial.CopyTo(_x);
        Iterations = ObjectiveEvaluations = GradientEvaluations = HessianVectorProducts = LastCgIterations = 0;
        LastStepLength = 0;
        Linearize();
    }

    /// <summary>Takes one Newton–CG step and returns <see cref="NewtonStatus.Running"/>, or returns why it stopped.</summary>
    public NewtonStatus Step()
    {
        if (GradientNorm <= GradientTolerance) return NewtonStatus.Converged;
        LastCgIterations = Direction();

        // Backtracking from the full step: the Newton step is well scaled, so α = 1 is taken near the minimum.
        double slope = Dot(_g, _p);
        for (double alpha = 1; alpha > 1e-12; alpha *= 0.5)
        {
            for (int i = 0; i < _n; i++) _trial[i] = _x[i] + alpha * _p[i];
            double value = _objective(_trial);
            ObjectiveEvaluations++;
            if (value <= Value + Armijo * alpha * slope)
            {
                _trial.CopyTo(_x, 0);
                Linearize();
                LastStepLength = alpha;
                Iterations++;
                return NewtonStatus.Running;
            }
        }
        return NewtonStatus.NoProgress;
    }

    /// <summary>
    /// Conjugate gradients on ∇²f·p = −∇f from p = 0, into <c>_p</c>; returns the iterations (Hessian–vector products).
    /// </summary>
    private int Direction()
    {
        double tolerance = Math.Min(0.5, Math.Sqrt(GradientNorm)) * GradientNorm;
        Array.Clear(_p);
        for (int i = 0; i < _n; i++)
        {
            _r[i] = _g[i];
            _d[i] = -_g[i];
        }
        double rr = Dot(_r, _r);
        for (int j = 0; j < MaxCgIterations; j++)
        {
            _hessianVector(_x, _d, _hd);
            HessianVectorProducts++;
            double curvature = Dot(_d, _hd);
            if (curvature <= 0)
            {
                // Not a descent model along d: take steepest descent if nothing better was found yet.
                if (j == 0) _d.CopyTo(_p, 0);
                return j + 1;
            }
            double alpha = rr / curvature;
            for (int i = 0; i < _n; i++)
            {
                _p[i] += alpha * _d[i];
                _r[i] += alpha * _hd[i];
            }
            double next = Dot(_r, _r);
            if (Math.Sqrt(next) <= tolerance) return j + 1;
            double beta = next / rr;
            rr = next;
            for (int i = 0; i < _n; i++) _d[i] = -_r[i] + beta * _d[i];
        }
        return MaxCgIterations;
    }

    private void Linearize()
    {
        Value = _gradient(_x, _g);
        GradientEvaluations++;
        GradientNorm = Math.Sqrt(Dot(_g, _g));
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
