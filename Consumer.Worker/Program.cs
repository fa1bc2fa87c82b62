using Consumer.Worker.Extensions;
using Consumer.Worker.Options;
using Shared.Hosting;

return await ServiceHost.RunAsync(
    args,
    static configuration => configuration.ReadValidated<WorkerOptions>().HealthPort,
    static builder => builder.AddConsumerWorker(),
    static app => app.MapConsumerWorker());
