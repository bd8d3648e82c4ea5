"""The kernel reads config.yml with nameko's ``${VAR:default}`` substitution without changing how the rest of the
process reads YAML (compose files, alert rules and definitions are read with plain ``yaml.safe_load``)."""

import yaml

from enforcement_kernel.config import load_config, setting


def test_config_substitutes_variables_and_leaves_other_yaml_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("ENF_TEST_QUEUE_HOST", "broker.example")
    monkeypatch.delenv("ENF_TEST_UNSET", raising=False)
    path = tmp_path / "config.yml"
    path.write_text(
        "HOST: ${ENF_TEST_QUEUE_HOST:localhost}\nLIMIT: ${ENF_TEST_UNSET:7}\nOUTBOX:\n  batch: ${ENF_TEST_UNSET:50}\n",
        encoding="utf-8",
    )
    config = load_config("example", path)
    assert config["HOST"] == "broker.example"
    assert config["LIMIT"] == 7 and setting(config, "OUTBOX.batch") == 50
    assert setting(config, "OUTBOX.poll_seconds") == 1.0  # kernel defaults merged under the file
    # a compose-style default stays literal for everyone else in the process
    assert yaml.safe_load("user: ${RABBITMQ_USER:-guest}") == {"user": "${RABBITMQ_USER:-guest}"}
