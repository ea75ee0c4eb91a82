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

    public static string Of(object value, ScalarKind kind) => kind switch
    {
        ScalarKind.Double or ScalarKind.Float => Real(System.Convert.ToDouble(value, CultureInfo.InvariantCulture), kind),
        // A default value is spelled from 0 for every kind (a struct's bool field too).
        ScalarKind.Boolean => System.Convert.ToBoolean(value, CultureInfo.InvariantCulture) ? "true" : "false",
        ScalarKind.Int64 => Wrap(System.Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "L"),
        _ => Wrap(System.Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>The value of a numeric constant spelled by <see cref="Of"/> (<c>(-0.5)</c>, <c>1.5f</c>, <c>3L</c>), or null.</summary>
    public static double? Number(IrConstant constant) =>
        double.TryParse(constant.Text.Trim('(', ')').TrimEnd('f', 'L'), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    private static string Wrap(string text) => text.StartsWith("-", System.StringComparison.Ordinal) ? "(" + text + ")" : text;
}
