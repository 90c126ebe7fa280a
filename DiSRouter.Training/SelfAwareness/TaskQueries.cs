using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The bridge from the task suite to the self-awareness stages: items become <see cref="TrainingQuery"/>s laid
/// out as the pool was trained (an empty system segment, the item's prompt as the user message), and replies
/// are graded by the items' own graders (<see cref="Grader"/>, rejections by <see cref="Grader.IsRejection"/>).
/// </summary>
internal static class TaskQueries
{
    /// <summary>The pool's pretraining layout keeps the &lt;|system|&gt; marker with empty text; sampling must match it.</summary>
    public const string BaseSystemPrompt = "";

    public static TrainingQuery ToQuery(TaskItem item) =>
        new(item.Id, item.Family, item.Difficulty.ToString(System.Globalization.CultureInfo.InvariantCulture), BaseSystemPrompt, item.Prompt, item.Answer);

    /// <summary>
    /// <paramref name="count"/> items of a split spread evenly over <paramref name="families"/> (in-domain by
    /// default), interleaved family by family so that any prefix of the list is balanced too.
    /// </summary>
    public static IReadOnlyList<TaskItem> Draw(TaskSuite suite, TaskSplit split, int count, int drawSeed, IReadOnlyList<string>? families = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var names = families ?? suite.InDomainFamilies.Select(f => f.Name).ToList();
        if (names.Count == 0) throw new ArgumentException("No task family to draw from.", nameof(families));
        int perFamily = (count + names.Count - 1) / names.Count;
        var lists = names.Select(f => suite.Generate(f, split, perFamily, drawSeed)).ToList();
        var items = new List<TaskItem>(count);
        for (int i = 0; i < perFamily && items.Count < count; i++)
            foreach (var list in lists)
                if (i < list.Count && items.Count < count) items.Add(list[i]);
        return items;
    }
}

/// <summary>Grades replies with the task suite's graders; the items are looked up by query id.</summary>
internal sealed class TaskReplyGrader : IReplyGrader
{
    private readonly Dictionary<string, TaskItem> _items;

    public TaskReplyGrader(IEnumerable<TaskItem> items)
    {
        _items = new Dictionary<string, TaskItem>(StringComparer.Ordinal);
        foreach (var item in items)
            if (!_items.TryAdd(item.Id, item)) throw new ArgumentException($"Item id '{item.Id}' appears twice.", nameof(items));
    }

    public GradedReply Grade(TrainingQuery query, string reply)
    {
        if (!_items.TryGetValue(query.Id, out var item))
            throw new ArgumentException($"No task item with id '{query.Id}' to grade against.", nameof(query));
        var result = Grader.Grade(item, reply);
        var outcome = result.Rejected ? ResponseOutcome.Rejected : result.Correct ? ResponseOutcome.Correct : ResponseOutcome.Wrong;
        return new GradedReply(outcome, result.Extracted);
    }
}
