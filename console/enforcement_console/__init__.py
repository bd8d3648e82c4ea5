"""The staff console and the public portal: Chinese web pages rendered on the server from the gateway's HTTP API."""
