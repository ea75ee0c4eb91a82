using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Backprop.Generator.Differentiation;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// The rules table, entry by entry, without compiling anything (issue 10): each partial derivative tree is evaluated at
/// points of its function's domain and compared with a central difference of the function itself (found by name in
/// <see cref="Math"/>, or an operator), and a zero partial must have a zero difference (Sign returns an int; Round's digits are an int, not checked). The test walks the table, so an
/// entry it cannot check fails; the docs list every function of the table.
/// </summary>
public sealed class RuleTableTests
{
    private static readonly double[] Points = { 0.3, -0.7, 1.3, 2.1, 0.55, -1.45, 3.7 };

    [Fact]
    public void EveryPartialDerivative_MatchesCentralDifferences_OfItsFunction()
    {
        var failures = new List<string>();
        foreach (var rule in DerivativeRules.All.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var (function, real) = Primal(rule);
            var checkedPoints = new int[rule.Arity];
            foreach (var point in PointsOf(rule.Arity))
            {
                double result = function(point);
                if (!double.IsFinite(result)) continue;
                for (int i = 0; i < rule.Arity; i++)
                {
                    if (!real[i]) continue;
                    const double h = 1e-6;
                    double[] up = (double[])point.Clone(), down = (double[])point.Clone();
                    up[i] += h;
                    down[i] -= h;
                    double fUp = function(up), fDown = function(down);
                    if (!double.IsFinite(fUp) || !double.IsFinite(fDown)) continue;
                    double numeric = (fUp - fDown) / (2 * h);
                    // A jump within the stencil (Round at 0.55, a remainder wrapping): a difference over twice the step disagrees.
                    up[i] += h;
                    down[i] -= h;
                    if (Math.Abs((function(up) - function(down)) / (4 * h) - numeric) > 1e-3 * Math.Max(1, Math.Abs(numeric))) continue;
                    double partial = rule.Trees[i]?.Evaluate(point, result) ?? 0;
                    if (!double.IsFinite(partial) || Math.Abs(partial - numeric) > 1e-5 * Math.Max(1, Math.Abs(numeric)))
                        failures.Add($"{rule.Key} d/d{i} at ({string.Join(", ", point)}): rule {partial}, central difference {numeric}");
                    checkedPoints[i]++;
                }
            }
            for (int i = 0; i < rule.Arity; i++)
                if (real[i] && checkedPoints[i] == 0) failures.Add($"{rule.Key} d/d{i}: no point of the domain was checked");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// <see cref="DerivativeRule.Singular"/> marks exactly the rules with a partial that is infinite or NaN at a point where
    /// the function is finite (forward mode multiplies those partials by a tangent as a strong zero).
    /// </summary>
    [Fact]
    public void SingularRules_AreThoseWithANonFinitePartialWhereTheFunctionIsFinite()
    {
        double[] edges = { 0, 1, -1, 0.5, -0.5, 2, -2 };
        IEnumerable<double[]> Tuples(int arity) => arity == 0 ? new[] { Array.Empty<double>() }
            : from rest in Tuples(arity - 1) from e in edges select rest.Append(e).ToArray();
        var failures = new List<string>();
        foreach (var rule in DerivativeRules.All.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var (function, real) = Primal(rule);
            string? witness = null;
            foreach (var point in Tuples(rule.Arity))
            {
                double result = function(point);
                if (!double.IsFinite(result)) continue;
                for (int i = 0; i < rule.Arity && witness is null; i++)
                    if (real[i] && rule.Trees[i] is { } tree && !double.IsFinite(tree.Evaluate(point, result)))
                        witness = $"d/d{i} at ({string.Join(", ", point)})";
            }
            if (rule.Singular != (witness is not null))
                failures.Add(rule.Key + (rule.Singular ? ": marked singular, but every partial is finite where the function is" : ": not marked singular, " + witness + " is not finite"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Needs_FindsExactlyTheArgumentsAndResultEachPartialReads()
    {
        var tanh = DerivativeRules.Get("Tanh", 1).Needs(new[] { true });
        Assert.Equal(new[] { false }, tanh.Arguments);
        Assert.True(tanh.Result);
        var divide = DerivativeRules.Get(DerivativeRules.Divide, 2);
        Assert.Equal(new[] { false, true }, divide.Needs(new[] { true, false }).Arguments);
        Assert.False(divide.Needs(new[] { true, false }).Result);
        Assert.True(divide.Needs(new[] { false, true }).Result);
        var add = DerivativeRules.Get(DerivativeRules.Add, 2).Needs(new[] { true, true });
        Assert.Equal(new[] { false, false }, add.Arguments);
        Assert.False(add.Result);
        var clamp = DerivativeRules.Get("Clamp", 3).Needs(new[] { false, true, false });
        Assert.Equal(new[] { true, true, false }, clamp.Arguments);
    }

    [Fact]
    public void Printing_KeepsCSharpPrecedence()
    {
        var context = new RuleContext(Ir.ScalarKind.Float, new[] { Fragment.Of("x"), Fragment.Of("y") }, Fragment.Of("r"));
        Assert.Equal(new[] { "1 / y", "-r / y" }, DerivativeRules.Get(DerivativeRules.Divide, 2).Partials(context).Select(p => p?.ToString()));
        Assert.Equal(new[] { "y / (y * y + x * x)", "-x / (y * y + x * x)" }, DerivativeRules.Get("Atan2", 2).Partials(context).Select(p => p?.ToString()));
        Assert.Equal("y == 0 ? 0 : y * global::System.MathF.Pow(x, y - 1)", DerivativeRules.Get("Pow", 2).Partials(context)[0]?.ToString());
        Assert.Equal("0.5f / r", DerivativeRules.Get("Sqrt", 1).Partials(context)[0]?.ToString());
        Assert.Equal("1 / (3 * r * r)", DerivativeRules.Get("Cbrt", 1).Partials(context)[0]?.ToString());
    }

    [Fact]
    public void DerivativeRulesPage_AndBPG010Page_NameEveryFunctionOfTheTable()
    {
        string rulesPage = File.ReadAllText(Path.Combine(Repository.Root, "docs", "derivative-rules.md"));
        string bpg010 = File.ReadAllText(Path.Combine(Repository.Root, "docs", "diagnostics", "BPG010.md"));
        foreach (var name in DerivativeRules.All.Select(r => r.Name).Where(n => !n.StartsWith("op_", StringComparison.Ordinal)).Distinct())
        {
            Assert.Contains(name, rulesPage, StringComparison.Ordinal);
            Assert.Contains("`" + name + "`", bpg010, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<double[]> PointsOf(int arity) => arity switch
    {
        1 => Points.Select(p => new[] { p }),
        // Distinct coordinates: ties (Min, Max, Clamp at a bound) are kinks, whose conventions have their own tests.
        2 => from a in Points from b in Points where a != b select new[] { a, b },
        _ => from a in Points from b in Points from c in Points where b < c && a != b && a != c select new[] { a, b, c },
    };

    /// <summary>The function a rule differentiates, over doubles, and which of its parameters are real (Round's digits are not).</summary>
    private static (Func<double[], double> Function, bool[] Real) Primal(DerivativeRule rule)
    {
        Func<double[], double>? op = rule.Name switch
        {
            DerivativeRules.Add => a => a[0] + a[1],
            DerivativeRules.Subtract => a => a[0] - a[1],
            DerivativeRules.Multiply => a => a[0] * a[1],
            DerivativeRules.Divide => a => a[0] / a[1],
            DerivativeRules.Remainder => a => a[0] % a[1],
            DerivativeRules.Negate => a => -a[0],
            _ => null,
        };
        if (op is not null) return (op, Enumerable.Repeat(true, rule.Arity).ToArray());
        var method = typeof(Math).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == rule.Name && (m.ReturnType == typeof(double) || m.ReturnType == typeof(int)) && m.GetParameters().Length == rule.Arity
                && m.GetParameters()[0].ParameterType == typeof(double)
                && m.GetParameters().All(p => p.ParameterType == typeof(double) || p.ParameterType == typeof(int)))
            .OrderBy(m => m.GetParameters().Count(p => p.ParameterType != typeof(double)))
            .FirstOrDefault() ?? throw new InvalidOperationException("No System.Math function for the rule " + rule.Key);
        var parameters = method.GetParameters();
        var real = parameters.Select(p => p.ParameterType == typeof(double)).ToArray();
        return (a =>
        {
            try { return Convert.ToDouble(method.Invoke(null, parameters.Select((p, i) => real[i] ? (object)a[i] : (int)Math.Abs(Math.Round(a[i]))).ToArray())); }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException) { return double.NaN; } // outside the domain (Clamp's lo > hi)
        }, real);
    }
}
