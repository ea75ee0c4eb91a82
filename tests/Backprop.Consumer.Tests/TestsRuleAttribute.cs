using System;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Names the entry of the generator's derivative-rule table (<c>name/arity</c>, e.g. <c>Round/2</c> or
/// <c>op_Division/2</c>) that a method of <see cref="RuleFunctions"/> checks against finite differences.
/// The generator tests read these names and fail for a rule that no method checks
/// (<c>DerivativeRuleCoverageTests</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TestsRuleAttribute : Attribute
{
    public TestsRuleAttribute(string rule) => Rule = rule;

    public string Rule { get; }
}
