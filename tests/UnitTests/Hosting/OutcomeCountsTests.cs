using Shared.Hosting.Telemetry;

namespace UnitTests.Hosting;

/// <summary>
/// The API's publish outcomes and the worker's message outcomes are counted by <see cref="OutcomeCounts{TOutcome}"/>,
/// which uses each enum value as its index: every value must show from the start, keep its own total, and an enum
/// that cannot serve as an index must be refused instead of counting into the wrong slot.
/// </summary>
public sealed class OutcomeCountsTests
{
    public enum Colour
    {
        Red,
        Green,
        Blue,
    }

    public enum Sparse
    {
        One = 1,
        Two = 2,
    }

    [Fact]
    public void Each_value_keeps_its_own_total_and_every_value_is_observed_from_zero()
    {
        var counts = new OutcomeCounts<Colour>("colour", static c => c.ToString().ToLowerInvariant());

        counts.Increment(Colour.Blue);
        counts.Increment(Colour.Blue);
        counts.Increment(Colour.Red);

        Assert.Equal(1, counts.Total(Colour.Red));
        Assert.Equal(0, counts.Total(Colour.Green));
        Assert.Equal(2, counts.Total(Colour.Blue));
        Assert.Equal(
            [("red", 1L), ("green", 0L), ("blue", 2L)],
            counts.Observe().Select(m => ((string)m.Tags[0].Value!, m.Value)));
        Assert.All(counts.Observe(), m => Assert.Equal("colour", m.Tags[0].Key));
    }

    [Fact]
    public void Only_the_values_shown_are_observed()
    {
        var counts = new OutcomeCounts<Colour>("colour", static c => c.ToString());
        counts.Increment(Colour.Green);

        var observed = counts.Observe(static c => c is not Colour.Red).Select(m => (string)m.Tags[0].Value!);

        Assert.Equal(["Green", "Blue"], observed);
    }

    [Fact]
    public void An_enum_not_numbered_from_zero_is_refused()
    {
        var refused = Assert.Throws<TypeInitializationException>(() => new OutcomeCounts<Sparse>("n", static s => s.ToString()));

        Assert.IsType<InvalidOperationException>(refused.InnerException);
    }
}
