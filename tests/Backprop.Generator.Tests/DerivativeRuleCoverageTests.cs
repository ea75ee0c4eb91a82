using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Discovery;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Every entry of the derivative-rule table has a finite-difference test of its own. The consumer tests'
/// <c>RuleFunctions</c> holds [Differentiable] methods marked <c>[TestsRule("name/arity")]</c>, and <c>RuleTests</c>
/// checks every method there against central differences. These tests read <c>RuleFunctions.cs</c>, lower it with the
/// generator and hold the marks to what the bodies do: a rule without a marked method, or a mark on a method that does
/// not apply its rule to a value carrying a derivative, fails. (Round/2 had no such method, and a derivative of 1 for
/// it passed every test.)
/// </summary>
public sealed class DerivativeRuleCoverageTests
{
    private static readonly string[] s_sources = { "RuleFunctions.cs", "TestsRuleAttribute.cs" };

    /// <summary>An operation of a rule function's body that a rule differentiates, and which of its arguments carry a derivative.</summary>
    private sealed record RuleUse(string Method, string Rule, bool[] ActiveArguments);

    /// <summary>The rule each marked method names, and every rule application in every method.</summary>
    private sealed record RuleFunctions(IReadOnlyDictionary<string, string> Marks, IReadOnlyList<RuleUse> Uses);

    private static readonly Lazy<RuleFunctions> s_functions = new(Read);

    private static RuleFunctions Read()
    {
        var sources = s_sources.Select(file => File.ReadAllText(Repository.PathOf("tests", "Backprop.Consumer.Tests", file))).ToArray();
        var compilation = GeneratorHarness.Compilation(sources);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "RuleFunctions.cs does not compile on its own:\n" + string.Join("\n", errors));

        var type = compilation.GetTypeByMetadataName("Backprop.Consumer.Tests.RuleFunctions")!;
        var marks = type.GetMembers().OfType<IMethodSymbol>()
            .SelectMany(m => m.GetAttributes()
                .Where(a => a.AttributeClass?.Name == "TestsRuleAttribute")
                .Select(a => (Method: m.Name, Rule: (string)a.ConstructorArguments[0].Value!)))
            .ToDictionary(m => m.Method, m => m.Rule);

        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var uses = new List<RuleUse>();
        foreach (var model in result.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs).Select(output => (MethodModel)output.Value))
        {
            Assert.True(model.Method is not null, model.DisplayName + " cannot be differentiated: " + string.Join(", ", model.Diagnostics.Select(d => d.Id)));
            var method = model.Method!;
            // The IR and the activity that the reverse sweep is built from; RuleOf is how it picks each operation's rule.
            var activity = ActivityAnalysis.Run(method);
            foreach (var statement in method.Body)
            {
                IrWalker.VisitStatement(statement, node =>
                {
                    if (Analysis.RecordingPlan.RuleOf(node) is { } applied)
                        uses.Add(new RuleUse(method.Shape.Name, applied.Rule.Key, applied.Arguments.Select(activity.IsActive).ToArray()));
                    // An integer-valued known call (Math.Sign returns int): no derivative flows through its result, so
                    // its entry's partials are never asked; the finite differences check that zero all the same.
                    else if (node is IrMathCall call)
                        uses.Add(new RuleUse(method.Shape.Name, DerivativeRules.Get(call.Function, call.Arguments.Count).Key, call.Arguments.Select(activity.IsActive).ToArray()));
                });
            }
        }
        return new RuleFunctions(marks, uses);
    }

    [Fact]
    public void EveryDerivativeRule_IsCheckedByAMarkedRuleFunction()
    {
        var functions = s_functions.Value;
        var problems = new List<string>();
        foreach (var rule in DerivativeRules.All.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var methods = functions.Marks.Where(m => m.Value == rule.Key).Select(m => m.Key).ToHashSet();
            if (methods.Count == 0)
            {
                problems.Add(rule.Key + ": no method is marked [TestsRule(\"" + rule.Key + "\")]");
                continue;
            }
            // Each argument with a partial must carry a derivative in some marked method, or that partial goes unchecked.
            // A piecewise-constant rule has no partials: its check is that an argument with a derivative gets zero from it.
            var uses = functions.Uses.Where(u => u.Rule == rule.Key && methods.Contains(u.Method)).ToList();
            var partials = rule.Partials(new RuleContext(ScalarKind.Double, Enumerable.Repeat(Fragment.Of("x"), rule.Arity).ToArray(), Fragment.Of("r")));
            var active = Enumerable.Range(0, rule.Arity).Where(i => uses.Any(u => u.ActiveArguments[i])).ToList();
            var missing = Enumerable.Range(0, rule.Arity).Where(i => partials[i] is not null && !active.Contains(i)).ToList();
            string where = rule.Key + ": in " + string.Join(", ", methods.OrderBy(m => m, StringComparer.Ordinal));
            if (missing.Count > 0) problems.Add(where + " no derivative flows into argument " + string.Join(", ", missing));
            else if (active.Count == 0) problems.Add(where + " no derivative flows into any argument");
        }
        Assert.True(problems.Count == 0,
            "Derivative rules without a finite-difference test; add a [Differentiable, TestsRule(\"name/arity\")] method to "
            + "tests/Backprop.Consumer.Tests/RuleFunctions.cs and its domain to RuleTests:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EveryRuleFunctionMark_NamesARuleThatItsMethodApplies()
    {
        var functions = s_functions.Value;
        var problems = new List<string>();
        foreach (var (method, rule) in functions.Marks.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (functions.Uses.Any(u => u.Method == method && u.Rule == rule && u.ActiveArguments.Any(a => a))) continue;
            var applied = functions.Uses.Where(u => u.Method == method && u.ActiveArguments.Any(a => a)).Select(u => u.Rule).Distinct();
            problems.Add(method + " is marked [TestsRule(\"" + rule + "\")] but differentiates only " + string.Join(", ", applied));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void RuleFunctions_AreReadAndLowered()
    {
        // Both checks above would pass vacuously over an empty reading: the marks and the uses must be there.
        var functions = s_functions.Value;
        Assert.Equal("Round/2", functions.Marks["RoundDigits"]);
        Assert.Contains(functions.Uses, u => u is { Method: "RoundDigits", Rule: "Round/2" } && u.ActiveArguments.SequenceEqual(new[] { true, false }));
        Assert.Contains(functions.Uses, u => u is { Method: "Clamp", Rule: "Clamp/3" } && u.ActiveArguments.All(a => a));
    }
}
