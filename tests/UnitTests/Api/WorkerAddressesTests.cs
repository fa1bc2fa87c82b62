using Producer.Api.Options;

namespace UnitTests.Api;

public sealed class WorkerAddressesTests
{
    [Fact]
    public void One_address_is_a_fixed_list_of_one()
    {
        Assert.True(WorkerAddresses.TryParse("http://localhost:5001", out var parsed, out _));

        Assert.False(parsed.IsDns);
        Assert.Equal([new Uri("http://localhost:5001")], parsed.Fixed);
    }

    [Fact]
    public void A_comma_separated_list_gives_every_address_in_order()
    {
        Assert.True(WorkerAddresses.TryParse(" http://a:5001 , http://b:5002,https://c:5003 ", out var parsed, out _));

        Assert.Equal(["http://a:5001/", "http://b:5002/", "https://c:5003/"], parsed.Fixed.Select(u => u.ToString()));
    }

    [Fact]
    public void A_dns_target_names_the_host_and_port_to_look_up()
    {
        Assert.True(WorkerAddresses.TryParse("dns:///consumer-worker:5001", out var parsed, out _));

        Assert.True(parsed.IsDns);
        Assert.Equal(("consumer-worker", 5001), (parsed.DnsHost, parsed.DnsPort));
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost:5001")]
    [InlineData("ftp://a:21")]
    [InlineData("dns:///consumer-worker")]
    [InlineData("dns:///:5001")]
    [InlineData("dns:///name:99999")]
    [InlineData("http://a:5001,not a url")]
    public void Anything_else_is_refused_with_a_reason(string text)
    {
        Assert.False(WorkerAddresses.TryParse(text, out _, out var error));

        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
