"""Train the churn classifier on the prepared feature table."""

import argparse

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import train_test_split


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", default="data/features.parquet")
    args = parser.parse_args()

    table = pd.read_parquet(args.features)
    labels = table.pop("churned_30d")
    x_train, x_test, y_train, y_test = train_test_split(
        table, labels, test_size=0.2, stratify=labels, random_state=7
    )
    model = HistGradientBoostingClassifier(max_iter=300, random_state=7)
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    print(f"recall={recall_score(y_test, predicted):.3f}")
    print(f"precision={precision_score(y_test, predicted):.3f}")


if __name__ == "__main__":
    main()
