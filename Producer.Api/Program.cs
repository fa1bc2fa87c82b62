using Producer.Api.Extensions;
using Producer.Api.Options;
using Shared.Hosting;

return await ServiceHost.RunAsync(
    args,
    static configuration => configuration.ReadValidated<ProducerApiOptions>().Port,
    static builder => builder.AddProducerApi(),
    static app => app.MapProducerApi());
