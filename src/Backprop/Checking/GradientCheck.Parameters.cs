using System;
using System.Collections.Generic;
using System.Numerics;
using Backprop.Training;

namespace Backprop;

public static partial class GradientCheck
{
    /// <summary>
    /// Checks the gradients of a model's registered parameters: each entry of each parameter is moved in place, up and
    /// down, <paramref name="loss"/> is evaluated at both, and the central difference is compared with the entry of the
    /// parameter's gradient buffer. A report names each mismatch by parameter and index (<c>Fc1.Weight[3]</c>).
    /// </summary>
    /// <param name="loss">The loss, reading the model whose members the parameters are (<c>() =&gt; model.Loss(x, y)</c>).</param>
    /// <param name="register">Registers the parameters to check, usually with the generated
    /// <c>group =&gt; model.AddParameters(group, gradient)</c>. Their gradient buffers must hold the analytic gradient:
    /// call the generated gradient once, into a gradient object that was zero, before the check.</param>
    /// <param name="options">Step and tolerances; <see cref="GradientCheckOptions.SinglePrecision"/> by default for
    /// <see cref="float"/>. A <see cref="GradientCheckOptions.Layout"/> does not apply: parameters name themselves.</param>
    /// <remarks>The values are the model's own: the check writes them and restores each before moving to the next, so
    /// nothing else may use the model meanwhile. No reflection: the generated <c>AddParameters</c> says what to visit.</remarks>
    /// <example>
    /// <code>
    /// var model = new Mlp();
    /// var gradient = new Mlp();
    /// model.LossGradient(x, y, gradient);
    /// GradientCheck.Check(() =&gt; model.Loss(x, y), group =&gt; model.AddParameters(group, gradient)).ThrowIfFailed();
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> has a layout, or its step is too small to move an entry of type <typeparamref name="T"/>.</exception>
    public static GradientCheckResult Check<T>(Func<T> loss, Action<ParameterGroup<T>> register, GradientCheckOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (loss is null) throw new ArgumentNullException(nameof(loss));
        if (register is null) throw new ArgumentNullException(nameof(register));
        var parameters = new ParameterSet<T>();
        register(parameters.AddGroup(learningRate: 0));
        return Check(loss, parameters.Parameters, options);
    }

    /// <summary>Checks the gradients of the parameters of a set, as the optimizer sees them (see <see cref="Check{T}(Func{T}, Action{ParameterGroup{T}}, GradientCheckOptions?)"/>).</summary>
    /// <inheritdoc cref="Check{T}(Func{T}, Action{ParameterGroup{T}}, GradientCheckOptions?)" path="/exception"/>
    public static GradientCheckResult Check<T>(Func<T> loss, ParameterSet<T> parameters, GradientCheckOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        return Check(loss, parameters.Parameters, options);
    }

    /// <summary>Checks the gradients of the given parameters (a group's, a set's, or some of them), in their order (see <see cref="Check{T}(Func{T}, Action{ParameterGroup{T}}, GradientCheckOptions?)"/>).</summary>
    /// <inheritdoc cref="Check{T}(Func{T}, Action{ParameterGroup{T}}, GradientCheckOptions?)" path="/exception"/>
    public static GradientCheckResult Check<T>(Func<T> loss, IReadOnlyList<Parameter<T>> parameters, GradientCheckOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (loss is null) throw new ArgumentNullException(nameof(loss));
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        options ??= typeof(T) == typeof(float) ? GradientCheckOptions.SinglePrecision : GradientCheckOptions.Default;
        if (options.Layout is not null)
            throw new ArgumentException("A layout names the entries of a flat point; registered parameters are named by their registration.", nameof(options));

        var mismatches = new List<GradientMismatch>();
        var numeric = new List<double>();
        foreach (var parameter in parameters)
        {
            if (parameter is null) throw new ArgumentException("The list of parameters holds a null.", nameof(parameters));
            var values = parameter.Values.Span;
            var gradients = parameter.Gradients.Span;
            for (int i = 0; i < values.Length; i++)
            {
                T original = values[i];
                double x = double.CreateChecked(original);
                double h = options.Epsilon * Math.Max(1.0, Math.Abs(x));
                T up = T.CreateChecked(x + h), down = T.CreateChecked(x - h);
                // The step actually taken: in float, x ± h rounds to the nearest representable values.
                double step = double.CreateChecked(up) - double.CreateChecked(down);
                if (!(step > 0))
                    throw new ArgumentException(FormattableString.Invariant(
                        $"The step {options.Epsilon:G3} does not move {parameter.Name}[{i}] = {x:R} as a {typeof(T).Name}: use a larger Epsilon."), nameof(options));
                double plus, minus;
                try
                {
                    values[i] = up;
                    plus = double.CreateChecked(loss());
                    values[i] = down;
                    minus = double.CreateChecked(loss());
                }
                finally
                {
                    values[i] = original;
                }
                double difference = (plus - minus) / step;
                double analytic = double.CreateChecked(gradients[i]);
                numeric.Add(difference);
                if (!Agrees(analytic, difference, options))
                    mismatches.Add(new GradientMismatch(parameter.Name, i, analytic, difference, Math.Abs(analytic - difference)));
            }
        }
        return new GradientCheckResult(mismatches, numeric);
    }
}
