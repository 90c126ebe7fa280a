namespace DiSRouter.Core.Tasks;

/// <summary>How a multiple-choice item's chain of thought gets from the worked value to the option letter.</summary>
public enum ChoiceChain
{
    /// <summary>The letter straight after the value: "7*8=56, option D".</summary>
    LetterAfterValue,

    /// <summary>
    /// The options first, copied as value-letter pairs, then the worked value and the letter that followed it in the copy:
    /// "59 A, 66 B, 57 C, 56 D; 7*8=56 D". The letter becomes what came after the same text a few tokens back.
    /// </summary>
    CopiedPairs,

    /// <summary>
    /// The worked value, then that value as the final answer: "7*8=56. The final answer is: 56." The reply names the
    /// option by its text, which the choice grader accepts as it accepts the letter; no step maps a value to a letter.
    /// </summary>
    OptionText,
}
