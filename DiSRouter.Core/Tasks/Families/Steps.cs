using System.Globalization;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>Small helpers for writing reference steps ("47+38=85") with invariant digits.</summary>
internal static class Steps
{
    public static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Op(long a, char op, long b, long result) => $"{N(a)}{op}{N(b)}={N(result)}";

    public static long Apply(long a, char op, long b) => op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>A random number with exactly <paramref name="digits"/> digits.</summary>
    public static int Digits(StableRandom rng, int digits) => digits switch
    {
        1 => rng.Between(1, 9),
        2 => rng.Between(10, 99),
        3 => rng.Between(100, 999),
        4 => rng.Between(1000, 9999),
        _ => throw new ArgumentOutOfRangeException(nameof(digits)),
    };

    /// <summary>
    /// One step of the nano world's arithmetic: <paramref name="value"/> (0–99) plus or minus a digit, never below 0
    /// nor above 99, so that every step is the same small primitive whatever the family.
    /// </summary>
    public static (char Op, int Operand) SmallStep(StableRandom rng, long value)
    {
        // Taking away is forced only near 99, where b ≤ 9 < value, so a minus never goes below 0.
        var b = rng.Between(1, 9);
        var minus = value + b > 99 || (b <= value && rng.Chance(0.5));
        return (minus ? '-' : '+', b);
    }

    public static void CheckDifficulty(int difficulty)
    {
        if (difficulty is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(difficulty), difficulty, "Difficulty runs from 1 to 5.");
    }
}
