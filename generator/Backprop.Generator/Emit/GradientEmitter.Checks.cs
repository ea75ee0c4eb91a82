using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Emit;

/// <summary>The argument checks generated methods make before they write anything: gradient lengths, <c>dThis</c> and its members.</summary>
internal static partial class GradientEmitter
{
    /// <summary>
    /// Gradient spans must match their parameters. A pullback or backward also takes an empty span for an input whose
    /// gradient the caller does not want (generated callers pass one for buffers without a gradient).
    /// </summary>
    /// <param name="withThis">False where the pullback called next checks <c>dThis</c> (the gradient): once is enough.</param>
    private static void WriteLengthChecks(SourceWriter writer, IrMethod method, GradientProgram program, bool seeded, bool withThis = true)
    {
        if (withThis) WriteThisChecks(writer, method, program);
        var inputs = program.Gradients.Where(g => !IsMember(method, g.Variable)).Select(g => (g.Variable, g.GradientName, Optional: seeded));
        foreach (var (variable, gradient, optional) in inputs.Concat(program.Outputs.Select(o => (o.Variable, o.AdjointName, Optional: false))))
        {
            var v = method.Variables[variable];
            if (!v.Type.IsBuffer) continue;
            string shown = Identifiers.Bare(v.Name);
            if (v.IsMatrix)
            {
                // A two-dimensional array's gradient is an array of the same dimensions (always wanted: it is no span).
                WriteDimensionCheck(writer, v.Name, gradient, shown, gradient);
                continue;
            }
            using (writer.Block("if (" + (optional ? "!" + gradient + ".IsEmpty && " : "") + gradient + ".Length != " + v.Name + ".Length)"))
            {
                writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' must have \" + " + v.Name + ".Length + \" entries, like '" + shown + "'" + (optional ? " (or none)" : "") + ", but has \" + " + gradient + ".Length + \".\", nameof(" + gradient + "));");
            }
        }
    }

    /// <summary>
    /// <c>dThis</c> must mirror <c>this</c> wherever the gradient writes: not null, sub-modules present, array members of
    /// the same lengths. Checked before anything is written, naming the member by its dotted path.
    /// </summary>
    private static void WriteThisChecks(SourceWriter writer, IrMethod method, GradientProgram program)
    {
        var shape = method.Shape;
        if (!shape.HasThisGradient) return;
        string d = program.ThisName;
        if (!shape.ThisIsStruct)
        {
            using (writer.Block("if (" + d + " is null)"))
                writer.Line("throw new global::System.ArgumentNullException(nameof(" + d + "), \"The gradient of this instance must be an instance of the same type whose members receive the gradients.\");");
            // Gradients added into the model itself would change its parameters while the method reads them.
            using (writer.Block("if (global::System.Object.ReferenceEquals(" + d + ", this))"))
                writer.Line("throw new global::System.ArgumentException(\"The gradient of this instance must be another instance of its type: gradients added into the model itself would change its parameters.\", nameof(" + d + "));");
        }
        WriteMemberChecks(writer, d, shape.ThisChecks, "this", d, shownBefore: "", depth: 0);
    }

    /// <summary>
    /// The checks of <paramref name="checks"/> whose paths are members of <paramref name="mine"/> and
    /// <paramref name="theirs"/>; those of the elements of a collection of sub-modules (<c>Layers[].Weight</c>) in a loop
    /// over its elements, each named by its index (<c>Layers.3.Weight</c>).
    /// </summary>
    /// <param name="shownBefore">C# text, inside a string literal, that names the element the checks are in (<c>Layers.\" + k + \".</c>).</param>
    private static void WriteMemberChecks(SourceWriter writer, string d, IEnumerable<MemberCheck> checks, string mine, string theirs, string shownBefore, int depth)
    {
        var all = checks.ToList();
        foreach (var check in all.Where(c => !c.Path.Contains(MemberCheck.EachElement)))
        {
            string myMember = mine + "." + check.Path, theirMember = theirs + "." + check.Path;
            string shown = shownBefore + Identifiers.Bare(check.Path).Replace(".@", ".").Replace("!", "");
            switch (check.Kind)
            {
                case MemberCheckKind.Object:
                    using (writer.Block("if (" + theirMember + " is null)"))
                        writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' is null: " + d + " must have the same sub-modules as this instance.\", nameof(" + d + "));");
                    WriteNotItself(writer, d, myMember, theirMember, shown, "sub-module");
                    break;
                case MemberCheckKind.Array:
                    using (writer.Block("if (" + theirMember + " is null || " + theirMember + ".Length != " + myMember + ".Length)"))
                        writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' must have \" + " + myMember + ".Length + \" entries, like '" + shown + "', but has \" + (" + theirMember + "?.Length ?? 0) + \".\", nameof(" + d + "));");
                    WriteNotItself(writer, d, myMember, theirMember, shown, "array");
                    break;
                case MemberCheckKind.Matrix:
                    WriteDimensionCheck(writer, myMember, theirMember, shown, d);
                    WriteNotItself(writer, d, myMember, theirMember, shown, "array");
                    break;
                case MemberCheckKind.Jagged:
                    using (writer.Block("if (" + theirMember + " is null || " + theirMember + ".Length != " + myMember + ".Length)"))
                        writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' must have \" + " + myMember + ".Length + \" rows, like '" + shown + "', but has \" + (" + theirMember + "?.Length ?? 0) + \".\", nameof(" + d + "));");
                    WriteNotItself(writer, d, myMember, theirMember, shown, "array");
                    // Each row as long as the model's, named as registered (W.3).
                    string r = depth == 0 ? "r" : "r" + (depth + 1);
                    string shownRow = shown + ".\" + " + r + " + \"";
                    using (writer.Block("for (int " + r + " = 0; " + r + " < " + myMember + ".Length; " + r + "++)"))
                    {
                        using (writer.Block("if (" + theirMember + "[" + r + "] is null || " + theirMember + "[" + r + "].Length != " + myMember + "[" + r + "].Length)"))
                            writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shownRow + "' must have \" + " + myMember + "[" + r + "].Length + \" entries, like '" + shownRow + "', but has \" + (" + theirMember + "[" + r + "]?.Length ?? 0) + \".\", nameof(" + d + "));");
                        WriteNotItself(writer, d, myMember + "[" + r + "]", theirMember + "[" + r + "]", shownRow, "row");
                    }
                    break;
                case MemberCheckKind.Elements:
                    string count = check.Count;
                    using (writer.Block("if (" + theirMember + " is null || " + theirMember + "." + count + " != " + myMember + "." + count + ")"))
                        writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' must have \" + " + myMember + "." + count + " + \" sub-modules, like '" + shown + "', but has \" + (" + theirMember + "?." + count + " ?? 0) + \".\", nameof(" + d + "));");
                    WriteNotItself(writer, d, myMember, theirMember, shown, "collection");
                    string k = depth == 0 ? "k" : "k" + (depth + 1);
                    string shownElement = shown + ".\" + " + k + " + \"";
                    using (writer.Block("for (int " + k + " = 0; " + k + " < " + myMember + "." + count + "; " + k + "++)"))
                    {
                        using (writer.Block("if (" + theirMember + "[" + k + "] is null)"))
                            writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shownElement + "' is null: " + d + " must have the same sub-modules as this instance.\", nameof(" + d + "));");
                        WriteNotItself(writer, d, myMember + "[" + k + "]", theirMember + "[" + k + "]", shownElement, "sub-module");
                        string inside = check.Path + MemberCheck.EachElement + ".";
                        var nested = all.Where(c => c.Path.StartsWith(inside, System.StringComparison.Ordinal)).Select(c => c with { Path = c.Path.Substring(inside.Length) });
                        string forgiving = check.NullableElements ? "!" : "";
                        WriteMemberChecks(writer, d, nested, myMember + "[" + k + "]" + forgiving, theirMember + "[" + k + "]" + forgiving, shownElement + ".", depth + 1);
                    }
                    break;
            }
        }
    }

    /// <summary>A member of <c>dThis</c> must not be the model's own (gradients added into it would change the model).</summary>
    private static void WriteNotItself(SourceWriter writer, string d, string mine, string theirs, string shown, string what)
    {
        using (writer.Block("if (global::System.Object.ReferenceEquals(" + theirs + ", " + mine + "))"))
            writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' is the model's own " + what + ": " + d + " must have " + what + "s of its own.\", nameof(" + d + "));");
    }

    /// <summary>The gradient <paramref name="theirs"/> of the two-dimensional array <paramref name="mine"/> must have its dimensions.</summary>
    private static void WriteDimensionCheck(SourceWriter writer, string mine, string theirs, string shown, string argument)
    {
        using (writer.Block("if (" + theirs + " is null || " + theirs + ".GetLength(0) != " + mine + ".GetLength(0) || " + theirs + ".GetLength(1) != " + mine + ".GetLength(1))"))
            writer.Line("throw new global::System.ArgumentException(\"The gradient of '" + shown + "' must be a \" + " + mine + ".GetLength(0) + \" x \" + " + mine + ".GetLength(1) + \" array like '" + shown + "', but is \" + ("
                + theirs + " is null ? \"null\" : " + theirs + ".GetLength(0) + \" x \" + " + theirs + ".GetLength(1)) + \".\", nameof(" + argument + "));");
    }
}
