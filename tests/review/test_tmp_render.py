def test_dump(client, auth, apply, app):
    apply()
    auth.login("organiser")
    from tests.review.review_helpers import references
    ref = next(iter(references(app).values()))
    open("/tmp/detail.html","w").write(client.get(f"/manage/applications/{ref}").get_data(as_text=True))
    open("/tmp/index.html","w").write(client.get("/manage/applications/").get_data(as_text=True))
