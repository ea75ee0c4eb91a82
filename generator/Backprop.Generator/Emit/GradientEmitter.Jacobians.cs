using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Emit;

/// <summary>Jacobians (reverse sweeps per output, forward sweeps per input, vector lanes), Hessians and tangent methods.</summary>
internal static partial class GradientEmitter
{
    /// <summary>
    /// <c>R MJacobian(p…, Span&lt;T&gt; jacobian)</c>: the row-major Jacobian of the outputs (the value, or a layer's output
    /// spans flattened in parameter order) with respect to the differentiated inputs (flattened in parameter order). A
    /// scalar method is one reverse sweep (its gradient); a layer runs its split forward once and then one split reverse
    /// per output entry with a unit adjoint, each over the same tape rewound to where the forward left it, or, when it has
    /// a tangent and fewer input entries than output entries (decided at run time), one forward sweep per input entry.
    /// </summary>
    private static void WriteJacobian(SourceWriter writer, IrMethod method, GradientProgram program, TangentProgram? tangent, TangentProgram? lanes)
    {
        var shape = method.Shape;
        string element = shape.IsVoid ? method.Variables[program.Outputs[0].Variable].Type.ScalarKeyword : shape.ReturnType.Keyword;
        var names = new HashSet<string>(method.Variables.Select(v => Identifiers.Bare(v.Name)));
        string Fresh(string name) => Identifiers.Reserve(names, name);
        string jacobian = Fresh("jacobian"), columns = Fresh("columns"), rows = Fresh("rows");
        var parameters = method.Parameters.Select(p => method.Variables[p]).Select(v => v.DeclaredType + " " + v.Name).Append("global::System.Span<" + element + "> " + jacobian);
        var inputs = program.Gradients.Where(g => !IsMember(method, g.Variable)).Select(g => method.Variables[g.Variable]).ToList();
        // A struct parameter's columns are its real fields, in declaration order.
        string Size(IrVariable v) => v.Type.IsBuffer ? v.FlatLength : IsStructGradient(method, v.Id) ? StructFields(method, v).Count.ToString(CultureInfo.InvariantCulture) : "1";
        string columnsText = inputs.Count == 0 ? "0" : string.Join(" + ", inputs.Select(Size));
        var outputs = program.Outputs.Select(o => method.Variables[o.Variable]).ToList();
        string rowsText = shape.IsVoid ? string.Join(" + ", outputs.Select(Size)) : "1";
        var arguments = method.Parameters.Select(p => method.Variables[p].Name).ToList();

        // The forward sweeps live in a method of their own: their spans and stack buffers would otherwise enlarge the frame
        // (zeroed on entry) of every call that takes the reverse sweeps.
        bool sweeps = shape.IsVoid && (lanes is not null || tangent is not null && HasForwardSweeps(method, program, tangent));
        string sweepsName = shape.JacobianColumnsName;
        string row = Fresh("row"), k = Fresh("k"), tape = Fresh("tape");
        void Scratch(IrVariable output, string rented, string span) => WriteScratch(writer, output.Type.ScalarKeyword, output.FlatLength, rented, span);
        void Release(IrVariable output, string rented) => WriteRelease(writer, output.Type.ScalarKeyword, rented);
        if (sweeps)
        {
            writer.Line("/// <summary>The forward sweeps of <c>" + shape.JacobianName + "</c>, for fewer input entries than output entries: one column per sweep, or several in vector mode.</summary>");
            writer.Line(GeneratedCode);
            using (writer.Block("private " + (shape.IsStatic ? "static " : "") + "void " + sweepsName + "(" + string.Join(", ", parameters) + ", int " + columns + ")"))
            {
                if (lanes is not null) WriteVectorSweeps(writer, method, lanes, jacobian, columns, k, Fresh, arguments);
                else
                {
                    writer.Line("// Fewer inputs than outputs: forward sweeps, one column each.");
                    var directions = tangent!.Inputs.Select(t => (Input: method.Variables[t.Variable], Rented: Fresh("rentedT" + Identifiers.Capitalized(method.Variables[t.Variable].Name)), Span: Fresh("t" + Identifiers.Capitalized(method.Variables[t.Variable].Name)))).ToList();
                    var results = tangent!.Outputs.Select(t => (Output: method.Variables[t.Variable], Rented: Fresh("rentedT" + Identifiers.Capitalized(method.Variables[t.Variable].Name)), Span: Fresh("t" + Identifiers.Capitalized(method.Variables[t.Variable].Name)))).ToList();
                    foreach (var (input, rented, span) in directions.Where(d => d.Input.Type.IsBuffer))
                    {
                        Scratch(input, rented, span);
                        writer.Line(span + ".Clear();");
                    }
                    // A struct's direction is a struct local, one field set to 1 at a time.
                    foreach (var (input, _, local) in directions.Where(d => IsStructGradient(method, d.Input.Id)))
                        writer.Line(input.DeclaredType + " " + local + " = default;");
                    foreach (var (output, rented, span) in results) Scratch(output, rented, span);
                    string column = Fresh("column"), entry = Fresh("entry");
                    writer.Line("int " + column + " = 0;");
                    // One forward sweep with the unit direction set: a column of the Jacobian.
                    void Sweep(int d)
                    {
                        var call = new List<string>(arguments);
                        call.AddRange(directions.Select((other, i) => other.Input.View.Length > 0 ? other.Input.StructViewOf(other.Span)
                            : other.Input.Type.IsBuffer || IsStructGradient(method, other.Input.Id) ? other.Span : i == d ? "1" : "0"));
                        call.AddRange(results.Select(r => r.Span));
                        // An output entry the layer does not write keeps its tangent: zero, for a zero column entry.
                        foreach (var (_, _, result) in results) writer.Line(result + ".Clear();");
                        writer.Line(TangentMethodName(shape) + "(" + string.Join(", ", call) + ");");
                        string at = Fresh("row");   // one per column: a scalar's column is not a block of its own
                        writer.Line("int " + at + " = 0;");
                        foreach (var (output, _, result) in results)
                            using (writer.Block("for (int " + k + " = 0; " + k + " < " + output.Name + ".Length; " + k + "++, " + at + "++)"))
                                writer.Line(jacobian + "[" + at + " * " + columns + " + " + column + "] = " + result + "[" + k + "];");
                    }
                    for (int d = 0; d < directions.Count; d++)
                    {
                        var (input, _, span) = directions[d];
                        if (IsStructGradient(method, input.Id))
                        {
                            writer.Line("// The columns of '" + Identifiers.Bare(input.Name) + "', one per field.");
                            foreach (var field in StructFields(method, input))
                            {
                                writer.Line(span + "." + field.Member + " = 1;");
                                Sweep(d);
                                writer.Line(span + "." + field.Member + " = 0;");
                                writer.Line(column + "++;");
                            }
                            continue;
                        }
                        string unit = input.Type.IsBuffer ? span + "[" + entry + "]" : "";
                        writer.Line("// The column" + (input.Type.IsBuffer ? "s" : "") + " of '" + Identifiers.Bare(input.Name) + "'.");
                        using (writer.BlockIf(input.Type.IsBuffer ? "for (int " + entry + " = 0; " + entry + " < " + input.FlatLength + "; " + entry + "++, " + column + "++)" : null))
                        {
                            if (input.Type.IsBuffer) writer.Line(unit + " = 1;");
                            Sweep(d);
                            if (input.Type.IsBuffer) writer.Line(unit + " = 0;");
                            else writer.Line(column + "++;");
                        }
                    }
                    foreach (var (input, rented, _) in directions.Where(d => d.Input.Type.IsBuffer)) Release(input, rented);
                    foreach (var (output, rented, _) in results) Release(output, rented);
                }
            }
            writer.Line();
        }
        writer.Line("/// <summary>");
        writer.Line("/// Returns " + (shape.IsVoid ? "nothing (the outputs hold the layer's results)" : "<c>" + shape.Name + "</c>'s value") + " and writes the row-major Jacobian of " + (shape.IsVoid ? "its outputs" : "it"));
        writer.Line("/// with respect to its differentiated parameters, flattened in parameter order, into <paramref name=\"" + jacobian + "\"/>.");
        writer.Line("/// </summary>");
        writer.Line(GeneratedCode);
        using (writer.Block(shape.Accessibility + (shape.IsStatic ? " static " : " ") + (shape.IsVoid ? "void" : shape.ReturnType.Keyword) + " " + shape.JacobianName + "(" + string.Join(", ", parameters) + ")"))
        {
            writer.Line("int " + columns + " = " + columnsText + ";");
            writer.Line("int " + rows + " = " + rowsText + ";");
            using (writer.Block("if (" + jacobian + ".Length != " + rows + " * " + columns + ")"))
                writer.Line("throw new global::System.ArgumentException(\"The Jacobian must have \" + " + rows + " + \" x \" + " + columns + " + \" entries, but has \" + " + jacobian + ".Length + \".\", nameof(" + jacobian + "));");
            WriteOverlapChecks(writer, method);
            writer.Line(jacobian + ".Clear();");
            if (!shape.IsVoid)
            {
                // One reverse sweep: the gradient, written into the single row.
                var call = new List<string>(arguments);
                var scalars = RowArguments(writer, method, inputs, jacobian, "0", call, Fresh, seeded: false);
                string value = Fresh("value");
                writer.Line(shape.ReturnType.Keyword + " " + value + " = " + shape.GradientName + "(" + string.Join(", ", call) + ");");
                foreach (var (local, at) in scalars) writer.Line(jacobian + "[" + at + "] = " + local + ";");
                writer.Line("return " + value + ";");
                return;
            }
            // A layer: its forward sweep once, then one reverse sweep per output entry with a unit adjoint, each reading the
            // same tape again (put back as the forward sweep left it: a sweep may write into views of the tape), as Enzyme and
            // JAX's vjp reuse one forward pass.
            var adjoints = outputs.Select(o => (Output: o, Rented: Fresh("rented" + Identifiers.Capitalized(o.Name)), Span: Fresh("d" + Identifiers.Capitalized(o.Name)))).ToList();
            if (sweeps)
            {
                using (writer.Block("if (" + columns + " < " + rows + ")"))
                {
                    writer.Line("// Fewer inputs than outputs: forward sweeps, one per column or per lanes of columns.");
                    writer.Line(sweepsName + "(" + string.Join(", ", arguments) + ", " + jacobian + ", " + columns + ");");
                    writer.Line("return;");
                }
            }
            if (IsReplayable(method, program))
            {
                // The sweeps' own names are in scope here: the locals this method adds must not take them.
                names.UnionWith(program.Declarations.Select(d => d.Name).Concat(program.ForwardLocals.Select(l => l.Name))
                    .Concat(program.Gradients.Select(g => g.GradientName)).Concat(program.Outputs.Select(o => o.AdjointName)));
                WriteFusedJacobian(writer, method, program, jacobian, columns, row, k, Fresh, Scratch, Release);
                return;
            }
            foreach (var (output, rented, span) in adjoints) Scratch(output, rented, span);
            writer.Line("var " + tape + " = " + TapeType + ".Start();");
            using (writer.Block("while (true)"))
            {
                using (writer.Block("try"))
                {
                    writer.Line(shape.ForwardName + "(" + string.Join(", ", arguments.Append("ref " + tape)) + ");");
                    writer.Line("break;");
                }
                using (writer.Block("catch (global::Backprop.CompilerServices.TapeFullException)"))
                    writer.Line(tape + ".Restart();");
            }
            writer.Line(tape + ".Checkpoint();");
            // Outputs a reverse sweep may rewind to older contents are kept, and put back before each sweep and at the end.
            var kept = program.RewoundOutputs.Select(o => method.Variables[o.Variable])
                .Select(o => (Output: o, Rented: Fresh("rentedKept" + Identifiers.Capitalized(o.Name)), Kept: Fresh("kept" + Identifiers.Capitalized(o.Name)))).ToList();
            foreach (var (output, rented, keptName) in kept)
            {
                Scratch(output, rented, keptName);
                writer.Line((output.Type.Shape == ShapeKind.Array ? "global::System.MemoryExtensions.AsSpan(" + output.Name + ")" : output.Name) + ".CopyTo(" + keptName + ");");
            }
            void PutBack()
            {
                foreach (var (output, _, keptName) in kept) writer.Line(keptName + ".CopyTo(" + output.Name + ");");
            }
            writer.Line("int " + row + " = 0;");
            foreach (var (output, _, span) in adjoints)
            {
                using (writer.Block("for (int " + k + " = 0; " + k + " < " + output.Name + ".Length; " + k + "++, " + row + "++)"))
                {
                    writer.Line(tape + ".Rewind();");
                    PutBack();
                    foreach (var (_, _, other) in adjoints) writer.Line(other + ".Clear();");
                    writer.Line(span + "[" + k + "] = 1;");
                    var call = new List<string>(arguments);
                    call.AddRange(adjoints.Select(a => a.Span));
                    var scalars = RowArguments(writer, method, inputs, jacobian, row + " * " + columns, call, Fresh, seeded: true);
                    writer.Line(shape.ReverseName + "(" + string.Join(", ", call.Append("ref " + tape)) + ");");
                    foreach (var (local, at) in scalars) writer.Line(jacobian + "[" + at + "] = " + local + ";");
                }
            }
            PutBack();
            foreach (var (output, rented, _) in kept) Release(output, rented);
            writer.Line(tape + ".Dispose();");
            foreach (var (output, rented, _) in adjoints) Release(output, rented);
        }
    }

    /// <summary>
    /// Whether a layer's reverse sweep can run again and again after one forward sweep, in the same body: it uses no tape
    /// and writes nothing of the forward sweep's state (no overwrite undone, no loop counter reset), only adjoints and
    /// gradients, and it needs no gradient buffers of its own. Its Jacobian then keeps the forward values in locals.
    /// </summary>
    private static bool IsReplayable(IrMethod method, GradientProgram program)
    {
        if (program.UsesTape || program.ReverseSetup.Count > 0 || program.RewoundOutputs.Count > 0 || program.Views.Count > 0
            || program.Gradients.Any(g => IsStructGradient(method, g.Variable) || method.Variables[g.Variable].IsParameterField)) return false;
        var primal = new HashSet<string>(method.Variables.Select(v => v.Name).Concat(program.ForwardLocals.Select(l => l.Name))
            .Concat(program.Declarations.Select(d => d.Name).Where(program.Forward.Names().Contains)));
        return !program.Reverse.Names(NameSelection.Written).Overlaps(primal);
    }

    /// <summary>
    /// The Jacobian of a layer whose reverse sweep replays (<see cref="IsReplayable"/>): the forward sweep once, its values in
    /// locals, then for each output entry the reverse sweep with a unit adjoint, writing its row of the Jacobian directly
    /// (no tape, no split pair, as a hand-written Jacobian would).
    /// </summary>
    private static void WriteFusedJacobian(SourceWriter writer, IrMethod method, GradientProgram program, string jacobian, string columns, string row, string k,
        System.Func<string, string> fresh, System.Action<IrVariable, string, string> scratch, System.Action<IrVariable, string> release)
    {
        var tail = Tail(method, program);
        var reverse = Reverse(program, program.Forward.Concat(tail).ToList());
        var inForward = program.Forward.Names();
        var shared = program.Declarations.Where(d => inForward.Contains(d.Name)).ToList();
        foreach (var declaration in shared) writer.Line(declaration.ToString());
        writer.Line("// Forward sweep, once: its values stay in locals for every reverse sweep below.");
        Write(writer, program.Forward);
        var adjoints = program.Outputs.Select(o => (Output: method.Variables[o.Variable], Rented: fresh("rented" + Identifiers.Capitalized(o.AdjointName)), Span: o.AdjointName)).ToList();
        foreach (var (output, rented, span) in adjoints) scratch(output, rented, span);
        writer.Line("int " + row + " = 0;");
        var inReverse = reverse.Concat(tail).Names();
        var perRow = program.Declarations.Except(shared).Where(d => inReverse.Contains(d.Name)).ToList();
        foreach (var (output, _, span) in adjoints)
        {
            using (writer.Block("for (int " + k + " = 0; " + k + " < " + output.Name + ".Length; " + k + "++, " + row + "++)"))
            {
                writer.Line("// Reverse sweep with a unit adjoint on this output entry: one row.");
                foreach (var (_, _, other) in adjoints) writer.Line(other + ".Clear();");
                writer.Line(span + "[" + k + "] = 1;");
                foreach (var declaration in perRow) writer.Line(declaration.ToString());
                string offset = fresh("offset");
                writer.Line("int " + offset + " = " + row + " * " + columns + ";");
                var scalars = new List<(string Gradient, string At)>();
                foreach (var (variable, gradient, _) in program.Gradients)
                {
                    var v = method.Variables[variable];
                    if (IsMember(method, variable)) continue;
                    string at = fresh("at" + Identifiers.Capitalized(v.Name));
                    writer.Line("int " + at + " = " + offset + ";");
                    if (v.Type.IsBuffer)
                    {
                        writer.Line("global::System.Span<" + v.Type.ScalarKeyword + "> " + gradient + " = " + jacobian + ".Slice(" + at + ", " + v.Name + ".Length);");
                        writer.Line(offset + " += " + v.Name + ".Length;");
                        continue;
                    }
                    writer.Line(v.Type.Keyword + " " + gradient + " = 0;");
                    writer.Line(offset + "++;");
                    scalars.Add((gradient, at));
                }
                Write(writer, reverse);
                Write(writer, tail);
                foreach (var (gradient, at) in scalars) writer.Line(jacobian + "[" + at + "] = " + gradient + ";");
            }
        }
        foreach (var (output, rented, _) in adjoints) release(output, rented);
    }

    /// <summary>
    /// <c>T MHessianVectorProduct(p…, v…, g…, h…)</c>: the value, the gradient as <c>MGradient</c> gives it, and <c>h = H·v</c>,
    /// the gradient of the directional derivative along <c>v</c> (reverse over forward).
    /// </summary>
    private static void WriteHessianVectorProduct(SourceWriter writer, IrMethod method, GradientProgram program, IrMethod core)
    {
        var shape = method.Shape;
        var names = new HashSet<string>(core.Variables.Select(v => Identifiers.Bare(v.Name)));
        foreach (var (_, gradient, _) in program.Gradients) names.Add(Identifiers.Bare(gradient));
        var directions = core.Parameters.Skip(method.Parameters.Count).Select(p => core.Variables[p]).ToList();
        var parameters = core.Parameters.Select(p => core.Variables[p]).Select(v => v.DeclaredType + " " + v.Name).ToList();
        var gradients = new List<string>();
        var products = new List<string>();
        var gradientParameters = new List<string>();
        var productParameters = new List<string>();
        var scalars = new List<(string Gradient, string Product, bool Struct)>();
        // Each buffer's direction must match it; its gradient and product may be empty (a part not wanted). Checked here under
        // the names the caller sees: the directional pullback would name them after its own parameters.
        var checks = new List<(string Primal, string Direction, string Gradient, string Product)>();
        int next = 0;
        foreach (var (variable, gradient, _) in program.Gradients)
        {
            if (IsMember(method, variable)) continue;
            var v = method.Variables[variable];
            string? direction = next < directions.Count ? directions[next++].Name : null;
            string product = Identifiers.Escape(Identifiers.Reserve(names, "h" + Identifiers.Capitalized(Identifiers.Bare(v.Name))));
            // A struct parameter's gradient and product are structs of its type (out S dP, out S hP).
            string keyword = v.Type.IsBuffer ? v.GradientBufferKeyword + " " : "out " + (IsStructGradient(method, variable) ? v.DeclaredType : v.Type.Keyword) + " ";
            gradientParameters.Add(keyword + gradient);
            gradients.Add((v.Type.IsBuffer ? "" : "ref ") + gradient);
            productParameters.Add(keyword + product);
            products.Add((v.Type.IsBuffer ? "" : "ref ") + product);
            if (!v.Type.IsBuffer) scalars.Add((gradient, product, IsStructGradient(method, variable)));
            else if (direction is not null) checks.Add((v.Name, direction, gradient, product));
        }
        parameters.AddRange(gradientParameters);
        parameters.AddRange(productParameters);
        var arguments = method.Parameters.Select(p => method.Variables[p].Name).ToList();
        writer.Line("/// <summary>");
        writer.Line("/// Returns <c>" + shape.Name + "</c>'s value, its gradient (as <c>" + shape.GradientName + "</c>: assigned to scalars, added to spans) and");
        writer.Line("/// the Hessian–vector product <c>H·v</c> along the directions <c>" + string.Join("</c>, <c>", directions.Select(d => Identifiers.Bare(d.Name))) + "</c> (assigned to scalars, added to spans).");
        writer.Line("/// An empty span is a part not wanted (H·v alone for conjugate gradients: pass empty gradient spans).");
        writer.Line("/// </summary>");
        writer.Line(GeneratedCode);
        using (writer.Block(shape.Accessibility + (shape.IsStatic ? " static " : " ") + shape.ReturnType.Keyword + " " + shape.HessianVectorProductName + "(" + string.Join(", ", parameters) + ")"))
        {
            WriteOverlapChecks(writer, method);
            foreach (var (primal, direction, gradient, product) in checks)
            {
                string shown = Identifiers.Bare(primal);
                using (writer.Block("if (" + direction + ".Length != " + primal + ".Length)"))
                    writer.Line("throw new global::System.ArgumentException(\"The direction '" + Identifiers.Bare(direction) + "' must have \" + " + primal + ".Length + \" entries, like '" + shown + "', but has \" + " + direction + ".Length + \".\", nameof(" + direction + "));");
                foreach (var (part, what) in new[] { (gradient, "gradient"), (product, "Hessian–vector product") })
                    using (writer.Block("if (!" + part + ".IsEmpty && " + part + ".Length != " + primal + ".Length)"))
                        writer.Line("throw new global::System.ArgumentException(\"The " + what + " '" + Identifiers.Bare(part) + "' must have \" + " + primal + ".Length + \" entries, like '" + shown + "' (or none), but has \" + " + part + ".Length + \".\", nameof(" + part + "));");
            }
            // One reverse sweep of the directional derivative gives both: H·v as its gradient in p, ∇f as its gradient in v.
            // Its pullback (seed 1) takes empty spans for the parts not wanted.
            foreach (var (gradient, product, isStruct) in scalars)
            {
                writer.Line(gradient + (isStruct ? " = default;" : " = 0;"));
                writer.Line(product + (isStruct ? " = default;" : " = 0;"));
            }
            writer.Line(core.Shape.PullbackName + "(" + string.Join(", ", arguments.Concat(directions.Select(d => d.Name)).Append("1").Concat(products).Concat(gradients)) + ");");
            writer.Line("return " + (shape.IsStatic ? "" : "this.") + shape.Name + "(" + string.Join(", ", arguments) + ");");
        }
    }

    /// <summary>
    /// <c>T MHessian(p…, Span&lt;T&gt; hessian)</c>: the value and the dense, row-major Hessian over the differentiated
    /// parameters flattened in order, one Hessian–vector product per unit direction.
    /// </summary>
    private static void WriteHessian(SourceWriter writer, IrMethod method, GradientProgram program, IrMethod core)
    {
        var shape = method.Shape;
        string element = shape.ReturnType.Keyword;
        var names = new HashSet<string>(core.Variables.Select(v => Identifiers.Bare(v.Name)));
        string Fresh(string name) => Identifiers.Escape(Identifiers.Reserve(names, name));
        string hessian = Fresh("hessian"), size = Fresh("size"), column = Fresh("column");
        // A struct's fields are columns of their parameter's (its gradient is a struct), not inputs of their own.
        var inputs = program.Gradients.Where(g => !IsMember(method, g.Variable)).Select(g => method.Variables[g.Variable]).ToList();
        var directions = core.Parameters.Skip(method.Parameters.Count).Select(p => core.Variables[p]).ToList();
        var parameters = method.Parameters.Select(p => method.Variables[p]).Select(v => v.DeclaredType + " " + v.Name).Append("global::System.Span<" + element + "> " + hessian);
        var arguments = method.Parameters.Select(p => method.Variables[p].Name).ToList();
        writer.Line("/// <summary>");
        writer.Line("/// Returns <c>" + shape.Name + "</c>'s value and writes its row-major Hessian with respect to its differentiated parameters,");
        writer.Line("/// flattened in parameter order, into <paramref name=\"" + Identifiers.Bare(hessian) + "\"/> (one Hessian–vector product per column).");
        writer.Line("/// </summary>");
        writer.Line(GeneratedCode);
        using (writer.Block(shape.Accessibility + (shape.IsStatic ? " static " : " ") + element + " " + shape.HessianName + "(" + string.Join(", ", parameters) + ")"))
        {
            writer.Line("int " + size + " = " + (inputs.Count == 0 ? "0" : string.Join(" + ", inputs.Select(v => v.Type.IsBuffer ? v.FlatLength : IsStructGradient(method, v.Id) ? StructFields(method, v).Count.ToString(CultureInfo.InvariantCulture) : "1"))) + ";");
            using (writer.Block("if (" + hessian + ".Length != " + size + " * " + size + ")"))
                writer.Line("throw new global::System.ArgumentException(\"The Hessian must have \" + " + size + " + \" x \" + " + size + " + \" entries, but has \" + " + hessian + ".Length + \".\", nameof(" + hessian + "));");
            WriteOverlapChecks(writer, method);
            writer.Line(hessian + ".Clear();");
            // The directions: a scalar local, or a zeroed span over a pooled array, set to one unit vector at a time.
            var rented = new List<(string Array, string Keyword)>();
            for (int i = 0; i < inputs.Count; i++)
            {
                var (input, direction) = (inputs[i], directions[i]);
                if (IsStructGradient(method, input.Id))
                {
                    writer.Line(input.DeclaredType + " " + direction.Name + " = default;");
                    continue;
                }
                if (!input.Type.IsBuffer)
                {
                    writer.Line(input.Type.Keyword + " " + direction.Name + " = 0;");
                    continue;
                }
                string array = Fresh("rented" + Identifiers.Capitalized(Identifiers.Bare(direction.Name)));
                rented.Add((array, input.Type.ScalarKeyword));
                writer.Line(input.Type.ScalarKeyword + "[] " + array + " = global::System.Buffers.ArrayPool<" + input.Type.ScalarKeyword + ">.Shared.Rent(" + input.FlatLength + ");");
                writer.Line("global::System.Span<" + input.Type.ScalarKeyword + "> " + direction.Spelling + " = global::System.MemoryExtensions.AsSpan(" + array + ", 0, " + input.FlatLength + ");");
                writer.Line(direction.Spelling + ".Clear();");
                // An array or span of structs: the direction is its numbers, passed as structs.
                if (input.View.Length > 0) writer.Line("global::System.Span<" + input.View + "> " + direction.Name + " = " + input.StructViewOf(direction.Spelling) + ";");
            }
            writer.Line("int " + column + " = 0;");
            string unwanted = Fresh("unwanted");
            if (inputs.Any(v => !v.Type.IsBuffer && !IsStructGradient(method, v.Id))) writer.Line(element + " " + unwanted + " = 0;");
            // A struct's gradient in its direction is not wanted either: one struct local per struct type.
            var unwantedStructs = new Dictionary<string, string>();
            foreach (var v in inputs.Where(v => IsStructGradient(method, v.Id)))
                if (!unwantedStructs.ContainsKey(v.DeclaredType))
                {
                    unwantedStructs[v.DeclaredType] = Fresh("unwanted" + Identifiers.Capitalized(Identifiers.Bare(v.Name)));
                    writer.Line(v.DeclaredType + " " + unwantedStructs[v.DeclaredType] + " = default;");
                }
            // One row: H times the unit direction set, through the directional derivative's pullback.
            void WriteHessianRow()
            {
                var call = arguments.Concat(directions.Select(d => d.Name)).ToList();
                call.Add("1");
                var scalars = RowArguments(writer, method, inputs, hessian, column + " * " + size, call, Fresh, seeded: true);
                // The gradient in the directions (∇f) is not wanted here: empty spans, and one local for the scalars.
                call.AddRange(inputs.Select(v => v.Type.IsBuffer ? "default" : IsStructGradient(method, v.Id) ? "ref " + unwantedStructs[v.DeclaredType] : "ref " + unwanted));
                writer.Line(core.Shape.PullbackName + "(" + string.Join(", ", call) + ");");
                foreach (var (local, at) in scalars) writer.Line(hessian + "[" + at + "] = " + local + ";");
            }
            for (int i = 0; i < inputs.Count; i++)
            {
                var (input, direction) = (inputs[i], directions[i]);
                if (IsStructGradient(method, input.Id))
                {
                    writer.Line("// The rows of '" + Identifiers.Bare(input.Name) + "', one per field: H times its unit directions.");
                    foreach (var field in StructFields(method, input))
                    {
                        writer.Line(direction.Name + "." + field.Member + " = 1;");
                        WriteHessianRow();
                        writer.Line(direction.Name + "." + field.Member + " = 0;");
                        writer.Line(column + "++;");
                    }
                    continue;
                }
                string k = Fresh("k");
                string unit = input.Type.IsBuffer ? direction.Spelling + "[" + k + "]" : direction.Name;
                writer.Line("// The row" + (input.Type.IsBuffer ? "s" : "") + " of '" + Identifiers.Bare(input.Name) + "': H times its unit direction" + (input.Type.IsBuffer ? "s" : "") + ".");
                using (writer.BlockIf(input.Type.IsBuffer ? "for (int " + k + " = 0; " + k + " < " + input.FlatLength + "; " + k + "++, " + column + "++)" : null))
                {
                    writer.Line(unit + " = 1;");
                    WriteHessianRow();
                    writer.Line(unit + " = 0;");
                    if (!input.Type.IsBuffer) writer.Line(column + "++;");
                }
            }
            foreach (var (array, keyword) in rented)
                writer.Line("global::System.Buffers.ArrayPool<" + keyword + ">.Shared.Return(" + array + ");");
            writer.Line("return " + (shape.IsStatic ? "" : "this.") + shape.Name + "(" + string.Join(", ", arguments) + ");");
        }
    }

    /// <summary>
    /// The gradient arguments that write one row of the Jacobian, starting at <paramref name="start"/>: a slice of the row
    /// per buffer input, a local per scalar input (returned with its column, to copy in after the call).
    /// </summary>
    private static List<(string Local, string At)> RowArguments(SourceWriter writer, IrMethod method, List<IrVariable> inputs, string jacobian, string start, List<string> call, System.Func<string, string> fresh, bool seeded)
    {
        string offset = fresh("offset");
        writer.Line("int " + offset + " = " + start + ";");
        var scalars = new List<(string Local, string At)>();
        foreach (var v in inputs)
        {
            string at = fresh("at" + Identifiers.Capitalized(v.Name));
            if (IsStructGradient(method, v.Id))
            {
                // A struct's gradient (out S dP, or ref S dP from default), its fields copied into consecutive columns.
                string gradient = fresh("d" + Identifiers.Capitalized(v.Name));
                var fields = StructFields(method, v);
                if (seeded) writer.Line(v.DeclaredType + " " + gradient + " = default;");
                writer.Line("int " + at + " = " + offset + ";");
                writer.Line(offset + " += " + fields.Count.ToString(CultureInfo.InvariantCulture) + ";");
                call.Add((seeded ? "ref " : "out " + v.DeclaredType + " ") + gradient);
                for (int k = 0; k < fields.Count; k++) scalars.Add((gradient + "." + fields[k].Member, k == 0 ? at : at + " + " + k.ToString(CultureInfo.InvariantCulture)));
                continue;
            }
            if (v.Type.IsBuffer)
            {
                // An array or span of structs: its gradient (Span<S>) is the row's slice seen as structs.
                writer.Line("int " + at + " = " + offset + ";");
                writer.Line(offset + " += " + v.FlatLength + ";");
                string slice = jacobian + ".Slice(" + at + ", " + v.FlatLength + ")";
                call.Add(v.View.Length > 0 ? v.StructViewOf(slice) : slice);
                continue;
            }
            string local = fresh("d" + Identifiers.Capitalized(v.Name));
            if (seeded) writer.Line(v.Type.Keyword + " " + local + " = 0;");
            writer.Line("int " + at + " = " + offset + "++;");
            call.Add((seeded ? "ref " : "out " + v.Type.Keyword + " ") + local);
            scalars.Add((local, at));
        }
        return scalars;
    }

    /// <summary>
    /// Whether a layer's Jacobian can take forward sweeps through <paramref name="tangent"/>: its tangent parameters are the
    /// Jacobian's columns and its tangent outputs the rows, in the same order. Not when it has side effects: one forward
    /// sweep per column would run them once per column.
    /// </summary>
    private static bool HasForwardSweeps(IrMethod method, GradientProgram program, TangentProgram tangent) =>
        method.Shape is { EmitJacobian: true, IsVoid: true, HasThisGradient: false } && !IrWalker.RunsEffects(method.Body)
        && tangent.Inputs.Select(t => t.Variable).SequenceEqual(program.Gradients.Where(g => !IsMember(method, g.Variable)).Select(g => g.Variable))
        && tangent.Outputs.Select(t => t.Variable).SequenceEqual(program.Outputs.Select(o => o.Variable));

    /// <summary>
    /// A scratch span of <paramref name="length"/> entries: on the stack up to 32 (a residual, a reprojection), else over a
    /// pooled array (<see cref="WriteRelease"/> returns it).
    /// </summary>
    private static void WriteScratch(SourceWriter writer, string element, string length, string rented, string span)
    {
        writer.Line(element + "[]? " + rented + " = null;");
        writer.Line("global::System.Span<" + element + "> " + span + " = " + length + " <= 32 ? stackalloc " + element + "[32] : (" + rented + " = global::System.Buffers.ArrayPool<" + element + ">.Shared.Rent(" + length + "));");
        writer.Line(span + " = " + span + ".Slice(0, " + length + ");");
    }

    private static void WriteRelease(SourceWriter writer, string element, string rented) =>
        writer.Line("if (" + rented + " is not null) global::System.Buffers.ArrayPool<" + element + ">.Shared.Return(" + rented + ");");

    /// <summary>Whether the vector-mode tangent takes the same columns and rows as the tangent, in the same order.</summary>
    private static bool SameColumns(TangentProgram tangent, TangentProgram lanes) =>
        tangent.Inputs.Select(t => t.Variable).SequenceEqual(lanes.Inputs.Select(t => t.Variable))
        && tangent.Outputs.Select(t => t.Variable).SequenceEqual(lanes.Outputs.Select(t => t.Variable));

    /// <summary>
    /// The forward sweeps of a tall Jacobian in vector mode: columns <c>first … first + Vector&lt;T&gt;.Count - 1</c> in one
    /// sweep of <c>MJacobianLanes</c>, lane <c>l</c> of every input tangent the unit direction of column <c>first + l</c>.
    /// The directions and the outputs' tangents are read and written through the lanes' scalars
    /// (<c>MemoryMarshal.Cast</c>): entry <c>e</c>, lane <c>l</c> is scalar <c>e * width + l</c>.
    /// </summary>
    private static void WriteVectorSweeps(SourceWriter writer, IrMethod method, TangentProgram lanes, string jacobian, string columns, string k,
        System.Func<string, string> fresh, List<string> arguments)
    {
        var shape = method.Shape;
        string element = method.Variables[lanes.Outputs[0].Variable].Type.ScalarKeyword;
        string vector = "global::System.Numerics.Vector<" + element + ">";
        string width = fresh("width"), first = fresh("first"), count = fresh("count"), column = fresh("column"), entry = fresh("entry"), lane = fresh("lane"), at = fresh("row");
        var inputs = lanes.Inputs.Select(t => method.Variables[t.Variable]).Select(v => (Variable: v, Rented: fresh("rentedT" + Identifiers.Capitalized(v.Name)), Span: fresh("t" + Identifiers.Capitalized(v.Name)), Flat: fresh("lanesT" + Identifiers.Capitalized(v.Name)))).ToList();
        var outputs = lanes.Outputs.Select(t => method.Variables[t.Variable]).Select(v => (Variable: v, Rented: fresh("rentedT" + Identifiers.Capitalized(v.Name)), Span: fresh("t" + Identifiers.Capitalized(v.Name)), Flat: fresh("lanesT" + Identifiers.Capitalized(v.Name)))).ToList();
        var scalars = inputs.Where(i => !i.Variable.Type.IsBuffer).ToList();
        string scalarSpan = fresh("tScalars"), scalarFlat = fresh("lanesTScalars");
        writer.Line("// Forward sweeps in vector mode, Vector<" + element + ">.Count columns per sweep.");
        writer.Line("int " + width + " = " + vector + ".Count;");
        // Small buffers (up to 32 entries) live on the stack, larger ones in pooled arrays.
        foreach (var (variable, rented, span, flat) in inputs.Where(i => i.Variable.Type.IsBuffer).Concat(outputs))
        {
            WriteScratch(writer, vector, variable.Name + ".Length", rented, span);
            writer.Line("global::System.Span<" + element + "> " + flat + " = global::System.Runtime.InteropServices.MemoryMarshal.Cast<" + vector + ", " + element + ">(" + span + ");");
        }
        if (scalars.Count > 0)
        {
            writer.Line("global::System.Span<" + vector + "> " + scalarSpan + " = stackalloc " + vector + "[" + scalars.Count.ToString(CultureInfo.InvariantCulture) + "];");
            writer.Line("global::System.Span<" + element + "> " + scalarFlat + " = global::System.Runtime.InteropServices.MemoryMarshal.Cast<" + vector + ", " + element + ">(" + scalarSpan + ");");
        }
        using (writer.Block("for (int " + first + " = 0; " + first + " < " + columns + "; " + first + " += " + width + ")"))
        {
            writer.Line("int " + count + " = global::System.Math.Min(" + width + ", " + columns + " - " + first + ");");
            writer.Line("// The directions: column " + first + " + l is lane l.");
            foreach (var (_, _, span, _) in inputs.Where(i => i.Variable.Type.IsBuffer)) writer.Line(span + ".Clear();");
            if (scalars.Count > 0) writer.Line(scalarSpan + ".Clear();");
            writer.Line("int " + column + " = 0;");
            foreach (var (variable, _, _, flat) in inputs)
            {
                if (variable.Type.IsBuffer)
                {
                    using (writer.Block("for (int " + entry + " = 0; " + entry + " < " + variable.Name + ".Length; " + entry + "++, " + column + "++)"))
                        writer.Line("if ((uint)(" + column + " - " + first + ") < (uint)" + count + ") " + flat + "[" + entry + " * " + width + " + " + column + " - " + first + "] = 1;");
                    continue;
                }
                int index = scalars.FindIndex(s => s.Variable.Id == variable.Id);
                string start = index == 0 ? "" : index.ToString(CultureInfo.InvariantCulture) + " * " + width + " + ";
                writer.Line("if ((uint)(" + column + " - " + first + ") < (uint)" + count + ") " + scalarFlat + "[" + start + column + " - " + first + "] = 1;");
                writer.Line(column + "++;");
            }
            // An output entry the layer does not write keeps its tangent: zero, for zero entries of the Jacobian.
            foreach (var (_, _, span, _) in outputs) writer.Line(span + ".Clear();");
            var call = new List<string>(arguments);
            call.AddRange(inputs.Select(i => i.Variable.Type.IsBuffer ? i.Span : scalarSpan + "[" + scalars.FindIndex(s => s.Variable.Id == i.Variable.Id).ToString(CultureInfo.InvariantCulture) + "]"));
            call.AddRange(outputs.Select(o => o.Span));
            writer.Line(shape.JacobianLanesName + "(" + string.Join(", ", call) + ");");
            writer.Line("int " + at + " = 0;");
            foreach (var (variable, _, _, flat) in outputs)
                using (writer.Block("for (int " + k + " = 0; " + k + " < " + variable.Name + ".Length; " + k + "++, " + at + "++)"))
                using (writer.Block("for (int " + lane + " = 0; " + lane + " < " + count + "; " + lane + "++)"))
                    writer.Line(jacobian + "[" + at + " * " + columns + " + " + first + " + " + lane + "] = " + flat + "[" + k + " * " + width + " + " + lane + "];");
        }
        foreach (var (variable, rented, _, _) in inputs.Where(i => i.Variable.Type.IsBuffer).Concat(outputs))
            WriteRelease(writer, vector, rented);
    }

    /// <summary>The public <c>MTangent</c> with <c>Forward = true</c>, else the Jacobian's private one.</summary>
    private static string TangentMethodName(MethodShape shape) => shape.EmitTangent ? shape.TangentName : shape.JacobianTangentName;

    /// <summary>
    /// Forward mode: <c>T MTangent(p…, t…, out T tM)</c> (a layer: <c>void MTangent(p…, t…, Span&lt;T&gt; tY…)</c>); without
    /// <c>Forward = true</c>, the private <c>MJacobianTangent</c> of a layer's Jacobian, the same method under another name.
    /// </summary>
    /// <param name="vector">
    /// The private <c>MJacobianLanes</c> of vector mode instead: every tangent a <c>Vector&lt;T&gt;</c>, one direction per
    /// lane (a layer only).
    /// </param>
    private static void WriteTangent(SourceWriter writer, IrMethod method, TangentProgram tangent, bool vector = false)
    {
        var shape = method.Shape;
        string Element(IrVariable v) => vector ? TangentBuilder.LanesKeyword(v.Type) : v.Type.ScalarKeyword;
        var parameters = method.Parameters.Select(p => method.Variables[p]).Select(v => v.DeclaredType + " " + v.Name).ToList();
        foreach (var (variable, name) in tangent.Inputs)
        {
            var v = method.Variables[variable];
            parameters.Add((v.View.Length > 0 ? "global::System.ReadOnlySpan<" + v.View + ">" : v.Type.IsBuffer ? "global::System.ReadOnlySpan<" + Element(v) + ">" : IsStructGradient(method, variable) ? v.DeclaredType : vector ? Element(v) : v.Type.Keyword) + " " + name);
        }
        foreach (var (variable, name) in tangent.Outputs)
            parameters.Add("global::System.Span<" + Element(method.Variables[variable]) + "> " + name);
        if (!shape.IsVoid) parameters.Add("out " + shape.ReturnType.Keyword + " " + tangent.ResultName);
        writer.Line("/// <summary>");
        if (vector)
        {
            writer.Line("/// Vector-mode forward mode of <c>" + shape.Name + "</c> (for <c>" + shape.JacobianName + "</c>'s forward sweeps): runs it once, and writes its outputs'");
            writer.Line("/// tangents along <c>Vector&lt;T&gt;.Count</c> directions at once, one per lane (Jacobian–matrix product).");
        }
        else
        {
            writer.Line("/// Forward mode of <c>" + shape.Name + "</c>" + (shape.EmitTangent ? "" : " (for <c>" + shape.JacobianName + "</c>'s forward sweeps)") + ": " + (shape.IsVoid ? "runs it, and writes its outputs' tangents" : "returns its value, and its directional derivative in <paramref name=\"" + tangent.ResultName + "\"/>,"));
            writer.Line("/// along the tangents of its differentiated parameters (Jacobian–vector product).");
        }
        writer.Line("/// </summary>");
        writer.Line(GeneratedCode);
        string methodName = vector ? shape.JacobianLanesName : TangentMethodName(shape);
        using (writer.Block((shape.EmitTangent && !vector ? shape.Accessibility : "private") + (shape.IsStatic ? " static " : " ") + (shape.IsVoid ? "void" : shape.ReturnType.Keyword) + " " + methodName + "(" + string.Join(", ", parameters) + ")"))
        {
            foreach (var (variable, name) in tangent.Inputs.Concat(tangent.Outputs))
            {
                var v = method.Variables[variable];
                if (!v.Type.IsBuffer) continue;
                string shown = Identifiers.Bare(v.Name);
                using (writer.Block("if (" + name + ".Length != " + v.Name + ".Length)"))
                    writer.Line("throw new global::System.ArgumentException(\"The tangent of '" + shown + "' must have \" + " + v.Name + ".Length + \" entries, like '" + shown + "', but has \" + " + name + ".Length + \".\", nameof(" + name + "));");
            }
            // The private forward sweeps of a Jacobian are called by the Jacobian, which checked.
            if (shape.EmitTangent && !vector) WriteOverlapChecks(writer, method);
            foreach (var declaration in tangent.Declarations) writer.Line(declaration.ToString());
            Write(writer, tangent.Body);
            if (!shape.IsVoid)
            {
                writer.Line(tangent.ResultName + " = " + tangent.ResultTangent + ";");
                writer.Line("return " + method.Variables[method.Result].Name + ";");
            }
        }
    }
}
