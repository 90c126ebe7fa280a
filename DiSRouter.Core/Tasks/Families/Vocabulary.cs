namespace DiSRouter.Core.Tasks.Families;

/// <summary>Everyday words for word problems and passages: short, so that prompts stay short.</summary>
internal static class Vocabulary
{
    public static readonly string[] People =
        ["Ana", "Bo", "Cal", "Dev", "Eli", "Fay", "Gus", "Ida", "Jo", "Kai", "Lia", "Max",
         "Mia", "Ned", "Ola", "Pia", "Raj", "Sam", "Tia", "Uma", "Val", "Wes", "Yao", "Zoe"];

    /// <summary>Countable things, singular and plural.</summary>
    public static readonly (string One, string Many)[] Things =
    [
        ("apple", "apples"), ("pen", "pens"), ("cup", "cups"), ("hat", "hats"), ("key", "keys"), ("egg", "eggs"),
        ("book", "books"), ("card", "cards"), ("shell", "shells"), ("stamp", "stamps"), ("bead", "beads"),
        ("ball", "balls"), ("kite", "kites"), ("lamp", "lamps"), ("mug", "mugs"), ("fig", "figs"),
    ];

    public static readonly string[] Towns =
        ["Oslo", "Lima", "Pune", "Kobe", "Nice", "Bern", "Riga", "Cork", "Perth", "Turin", "Quito", "Hilo", "Baku", "Doha"];

    public static string Many(StableRandom rng) => Things[rng.Next(Things.Length)].Many;

    public static List<string> DistinctPeople(StableRandom rng, int k) => rng.Sample(People, k);
}
