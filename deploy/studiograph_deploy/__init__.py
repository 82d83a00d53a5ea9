"""Static checks of Studiograph's deployment files (docker-compose.yml, deploy/Dockerfile, k8s/)."""
