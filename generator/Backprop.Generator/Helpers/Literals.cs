using System.Globalization;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Helpers;

/// <summary>C# spellings of constants, culture-invariant and typed so that no literal changes meaning in context.</summary>
internal static class Literals
{
    public static string Real(double value, ScalarKind kind)
    {
        bool isFloat = kind == ScalarKind.Float;
        string type = isFloat ? "float" : "double";
        if (double.IsNaN(value)) return type + ".NaN";
        if (double.IsPositiveInfinity(value)) return type + ".PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return type + ".NegativeInfinity";
        string text = isFloat
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f"
            : value.ToString("R", CultureInfo.InvariantCulture);
        if (!isFloat && text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) text += ".0";
        return text.StartsWith("-", System.StringComparison.Ordinal) ? "(" + text + ")" : text;
    }

    /// <summary>The constant as a C# literal of its type (<c>1.0</c>, <c>0.5f</c>, <c>3L</c>, <c>(-2)</c>, <c>true</c>).</summary>
    public static string Of(IrConstant constant) => constant.Type.Scalar switch
    {
        ScalarKind.Double or ScalarKind.Float => Real(constant.Value, constant.Type.Scalar),
        ScalarKind.Boolean => constant.Truth == true ? "true" : "false",
        ScalarKind.Int64 => Wrap(constant.Integer.ToString(CultureInfo.InvariantCulture) + "L"),
        _ => Wrap(constant.Integer.ToString(CultureInfo.InvariantCulture)),
    };

    private static string Wrap(string text) => text.StartsWith("-", System.StringComparison.Ordinal) ? "(" + text + ")" : text;
}
