global using Centrum.IntegrationTests.Infrastructure;
global using Xunit;
