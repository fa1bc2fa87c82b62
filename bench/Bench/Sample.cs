using System.Globalization;

namespace Bench;

/// <summary>A set of measurements of one quantity across runs: reported as the median with the spread.</summary>
internal sealed class Sample(IEnumerable<double> values)
{
    private readonly double[] _values = [.. values.Order()];

    public int Count => _values.Length;

    public double Median => _values.Length == 0
        ? double.NaN
        : _values.Length % 2 == 1 ? _values[_values.Length / 2] : (_values[(_values.Length / 2) - 1] + _values[_values.Length / 2]) / 2;

    public double Min => _values.Length == 0 ? double.NaN : _values[0];

    public double Max => _values.Length == 0 ? double.NaN : _values[^1];

    public string Format(string format) => _values.Length switch
    {
        0 => "n/a",
        1 => Median.ToString(format, CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})"),
    };
}
