namespace TestSupport;

/// <summary>For tests that check many things at once: every problem found is reported, not just the first.</summary>
public static class Problems
{
    public static void AssertNone(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, list));
        }
    }
}
