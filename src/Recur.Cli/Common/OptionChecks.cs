using System.CommandLine.Parsing;
using System.Globalization;

namespace Recur.Cli.Common;

/// <summary>Option validators. They read the token itself: a value that is not a number already has its own parse error.</summary>
internal static class OptionChecks
{
    public static void Positive(OptionResult result)
    {
        if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, CultureInfo.InvariantCulture, out int value) && value < 1)
        {
            result.AddError($"{result.Option.Name} must be at least 1, got {value}");
        }
    }

    public static void PositiveReal(OptionResult result)
    {
        if (result.Tokens.Count == 1 && double.TryParse(result.Tokens[0].Value, CultureInfo.InvariantCulture, out double value) && !(value > 0 && double.IsFinite(value)))
        {
            result.AddError($"{result.Option.Name} must be a number above 0, got {result.Tokens[0].Value}");
        }
    }

    public static void Fraction(OptionResult result)
    {
        if (result.Tokens.Count == 1 && double.TryParse(result.Tokens[0].Value, CultureInfo.InvariantCulture, out double value) && !(value >= 0 && value < 1))
        {
            result.AddError($"{result.Option.Name} must be at least 0 and below 1, got {result.Tokens[0].Value}");
        }
    }
}
