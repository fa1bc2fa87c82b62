namespace Bench;

/// <summary>
/// The order in which things measured one after another in a run take their turn: each run starts one further along.
/// Whatever is measured later in a run comes out slower (the ablation showed it); in a fixed order that bias would
/// fall on the same host or build every run.
/// </summary>
internal static class Rotation
{
    /// <summary><paramref name="items"/> in the order of run <paramref name="run"/> (from 1): the first run in the given order.</summary>
    public static T[] Of<T>(T[] items, int run)
    {
        var first = (run - 1) % items.Length;
        return [.. items[first..], .. items[..first]];
    }
}
