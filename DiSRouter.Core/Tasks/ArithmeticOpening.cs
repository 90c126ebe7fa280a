namespace DiSRouter.Core.Tasks;

/// <summary>How the hardest arithmetic chains (difficulty 5) open.</summary>
public enum ArithmeticOpening
{
    /// <summary>A one-digit product ("7*8"), as at difficulty 4.</summary>
    OneDigitProduct,

    /// <summary>
    /// A two-digit number times a digit, kept within 99 ("13*7"): a multiplication table of a few hundred entries instead
    /// of the one-digit table's 64, which a small model learns late and a large one may still miss now and then.
    /// </summary>
    TwoDigitProduct,
}
